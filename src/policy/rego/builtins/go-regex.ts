/**
 * Go RE2 patterns run on JS's RegExp. RE2 guarantees linear time and JS backtracks, so we
 * translate the RE2 syntax JS lacks (leading flag groups, `(?P<n>`, `\A` `\z`, `\Q…\E`, POSIX
 * classes, `\pL`) and refuse what JS cannot do (ungreedy mode, inline flag groups) or what is a
 * classic catastrophic-backtracking shape (a quantified group ending in a quantifier: `(a+)+`).
 * Compiled patterns are cached in a bounded map because policies call the same patterns per request.
 */
import { BuiltinError } from "./types.js";

const POSIX: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7f",
  blank: "\\t ",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const JS_SYNTAX = new Set([..."^$\\.*+?()[]{}|/"]);
const CATASTROPHIC = /[+*}]\)[+*{]/;
const CACHE_LIMIT = 512;
const cache = new Map<string, RegExp>();

function escapeLiteral(s: string): string {
  return [...s].map((c) => (JS_SYNTAX.has(c) || c === "-" ? `\\${c}` : c)).join("");
}

/** Leading `(?flags)` of RE2 become JS flags; `s`, `i`, `m` only. */
function leadingFlags(pattern: string): { body: string; flags: string } {
  const m = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (m === null) return { body: pattern, flags: "" };
  const flags = m[1] ?? "";
  if (/[^ism]/.test(flags)) throw new BuiltinError(`regex: unsupported flags (?${flags})`);
  return { body: pattern.slice(m[0].length), flags };
}

/** Translates one backslash escape at `i` (the char after `\`); returns [text, consumed]. */
function translateEscape(p: string, i: number, inClass: boolean): [string, number] {
  const c = p[i] ?? "";
  // Absolute text boundaries, unaffected by the `m` flag.
  if (c === "A" && !inClass) return ["(?<![\\s\\S])", 1];
  if (c === "z" && !inClass) return ["(?![\\s\\S])", 1];
  if (c === "Q") {
    const end = p.indexOf("\\E", i + 1);
    const lit = end < 0 ? p.slice(i + 1) : p.slice(i + 1, end);
    return [escapeLiteral(lit), (end < 0 ? p.length : end + 2) - i];
  }
  if ((c === "p" || c === "P") && p[i + 1] !== "{") return [`\\${c}{${p[i + 1] ?? ""}}`, 2];
  if (/[A-Za-z0-9]/.test(c)) return [`\\${c}`, 1];
  // RE2 lets any punctuation be escaped; JS's `u` mode only accepts syntax characters.
  return [JS_SYNTAX.has(c) || (inClass && c === "-") ? `\\${c}` : c, 1];
}

function translateBody(p: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < p.length; ) {
    const c = p[i] as string;
    if (c === "\\") {
      const [text, used] = translateEscape(p, i + 1, inClass);
      out += text;
      i += 1 + used;
    } else if (inClass && p.startsWith("[:", i)) {
      const end = p.indexOf(":]", i);
      const name = end < 0 ? "" : p.slice(i + 2, end);
      const negated = name.startsWith("^");
      const cls = POSIX[negated ? name.slice(1) : name];
      if (cls === undefined || negated) throw new BuiltinError(`regex: unsupported class [:${name}:]`);
      out += cls;
      i = end + 2;
    } else if (!inClass && p.startsWith("(?P<", i)) {
      out += "(?<";
      i += 4;
    } else if (!inClass && p.startsWith("(?", i) && !/^\(\?(:|<|=|!)/.test(p.slice(i))) {
      throw new BuiltinError("regex: inline flag groups are not supported");
    } else {
      if (c === "[" && !inClass) {
        inClass = true;
        out += c;
        i++;
        if (p[i] === "^") out += p[i++];
        if (p[i] === "]") {
          out += "\\]";
          i++;
        }
        continue;
      }
      if (c === "]" && inClass) inClass = false;
      out += c;
      i++;
    }
  }
  return out;
}

/** Compiles (once) an RE2 pattern to a JS RegExp with the `u` flag, plus `g` for iteration. */
export function compileGoRegex(pattern: string): RegExp {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  if (CATASTROPHIC.test(pattern)) throw new BuiltinError("regex: nested quantifiers are not allowed");
  const { body, flags } = leadingFlags(pattern);
  let re: RegExp;
  try {
    re = new RegExp(translateBody(body), `${flags}gu`);
  } catch (e) {
    throw new BuiltinError(`regex: invalid pattern: ${(e as Error).message}`);
  }
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(pattern, re);
  return re;
}

/**
 * Go's FindAll: successive non-overlapping matches, at most `n` (all when n < 0), ignoring an
 * empty match that abuts the previous match.
 */
export function findAll(re: RegExp, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  if (n === 0) return out;
  let prevEnd = -1;
  for (const m of s.matchAll(re)) {
    const end = m.index + m[0].length;
    if (m[0].length === 0 && m.index === prevEnd) continue;
    out.push(m);
    prevEnd = end;
    if (n > 0 && out.length >= n) break;
  }
  return out;
}
