/**
 * `glob.match` and `glob.quote_meta` with the gobwas/glob syntax OPA uses: `*` (not across a
 * delimiter), `**` (anything), `?` (one non-delimiter character), `[abc]`, `[a-z]`, `[!…]`,
 * `{a,b}` alternatives and `\` escapes. Patterns are compiled to anchored RE2 patterns (re2js:
 * linear-time matching, so no glob can backtrack exponentially) and cached.
 */
import { RE2JS, RE2JSException } from "re2js";
import type { Value } from "../value.js";
import { arg, str, typeFail } from "./args.js";
import { BuiltinError, type BuiltinTable } from "./types.js";

const CACHE_LIMIT = 512;
const cache = new Map<string, RE2JS>();

function escapeRe(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

class GlobCompiler {
  private i = 0;
  constructor(
    private readonly p: string,
    private readonly notDelim: string,
  ) {}

  compile(): string {
    const out = this.sequence(false);
    if (this.i < this.p.length) throw new BuiltinError("glob.match: unbalanced '}'");
    return out;
  }

  /** Reads until the end, or (inside `{}`) until an unnested `,` or `}`. */
  private sequence(inAlternatives: boolean): string {
    let out = "";
    while (this.i < this.p.length) {
      const c = this.p[this.i] as string;
      if (inAlternatives && (c === "," || c === "}")) return out;
      if (!inAlternatives && c === "}") return out;
      this.i++;
      out += this.token(c);
    }
    if (inAlternatives) throw new BuiltinError("glob.match: unclosed '{'");
    return out;
  }

  private token(c: string): string {
    switch (c) {
      case "*":
        if (this.p[this.i] === "*") {
          this.i++;
          return "[\\s\\S]*";
        }
        return `${this.notDelim}*`;
      case "?":
        return this.notDelim;
      case "[":
        return this.charClass();
      case "{":
        return this.alternatives();
      case "\\": {
        const next = this.p[this.i] ?? "\\";
        this.i++;
        return escapeRe(next);
      }
      default:
        return escapeRe(c);
    }
  }

  private charClass(): string {
    const end = this.p.indexOf("]", this.i);
    if (end < 0) throw new BuiltinError("glob.match: unclosed '['");
    let body = this.p.slice(this.i, end);
    this.i = end + 1;
    const negated = body.startsWith("!");
    if (negated) body = body.slice(1);
    const cls = body.replace(/[\\^\]]/g, "\\$&");
    return `[${negated ? "^" : ""}${cls}]`;
  }

  private alternatives(): string {
    const options: string[] = [];
    for (;;) {
      options.push(this.sequence(true));
      const c = this.p[this.i];
      this.i++;
      if (c === "}") return `(?:${options.join("|")})`;
    }
  }
}

function delimiters(v: Value): string[] | undefined {
  if (v === null) return undefined;
  if (!Array.isArray(v)) return typeFail("glob.match", 1, "array of strings or null", v);
  const ds = (v as readonly Value[]).map((d) => {
    if (typeof d !== "string") typeFail("glob.match", 1, "array of strings or null", d);
    return d;
  });
  return ds.length === 0 ? ["."] : ds;
}

/** A null delimiter list means none (so `*` crosses everything); an empty one means ["."]. */
export function compileGlob(pattern: string, delims: readonly string[] | undefined): RE2JS {
  const key = `${JSON.stringify(delims ?? null)}\u0000${pattern}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const chars = (delims ?? []).flatMap((d) => [...d]);
  const notDelim = chars.length === 0 ? "[\\s\\S]" : `[^${chars.map((c) => c.replace(/[\\^\]-]/g, "\\$&")).join("")}]`;
  const source = `^${new GlobCompiler(pattern, notDelim).compile()}$`;
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (e) {
    if (e instanceof RE2JSException) throw new BuiltinError(`glob.match: invalid pattern: ${e.message}`);
    throw e;
  }
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, re);
  return re;
}

export const GLOB: BuiltinTable = {
  "glob.match": {
    arity: 3,
    fn: (args) => {
      const pattern = str("glob.match", args, 0);
      const delims = delimiters(arg(args, 1));
      return compileGlob(pattern, delims).test(str("glob.match", args, 2));
    },
  },
  "glob.quote_meta": {
    arity: 1,
    fn: (args) => str("glob.quote_meta", args, 0).replace(/[*?\\[\]{}]/g, "\\$&"),
  },
};
