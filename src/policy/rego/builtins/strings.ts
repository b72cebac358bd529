/**
 * String builtins. Positions and lengths count Unicode code points, as OPA counts Go runes, so
 * `indexof("μx", "x")` is 1 whatever the UTF-16 encoding.
 */
import { charge, checkStringLength, textCost } from "../limits.js";
import type { RegoObject, Value } from "../value.js";
import { int, num, obj, str, strings } from "./args.js";
import { type Builtin, type BuiltinContext, BuiltinError, type BuiltinTable } from "./types.js";

/** Go's unicode.IsSpace set (JS `trim` also strips U+FEFF, which Go keeps). */
const SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const LEADING_SPACE = new RegExp(`^[${SPACE}]+`, "u");
const TRAILING_SPACE = new RegExp(`[${SPACE}]+$`, "u");

function strFn(name: string, f: (s: string) => Value): Builtin {
  return { arity: 1, fn: (args) => f(str(name, args, 0)) };
}

function str2(name: string, f: (a: string, b: string) => Value): Builtin {
  return { arity: 2, fn: (args) => f(str(name, args, 0), str(name, args, 1)) };
}

/**
 * Index (in code points) of every occurrence of `search`, overlapping ones included. The scan is
 * the engine's `indexOf` (no quadratic rune-by-rune comparison); UTF-16 offsets are converted to
 * code points incrementally.
 */
function codePointMatches(base: string, search: string, firstOnly: boolean): number[] {
  if (search === "") throw new BuiltinError("empty search character");
  const out: number[] = [];
  let unit = 0;
  let point = 0;
  for (let at = base.indexOf(search); at >= 0; at = base.indexOf(search, at + 1)) {
    for (; unit < at; unit++) {
      const c = base.charCodeAt(unit);
      // A low surrogate continues the code point its high surrogate started.
      if (c < 0xdc00 || c > 0xdfff) point++;
    }
    out.push(point);
    if (firstOnly) break;
  }
  return out;
}

/** Go's strings.Split: an empty separator splits into code points. */
function split(s: string, sep: string): Value {
  return sep === "" ? [...s] : s.split(sep);
}

/**
 * Go's strings.Replace with n = -1; an empty `old` inserts `repl` around every code point. The
 * output size is computed, checked and charged before the output is built: replacing in a long
 * string with a long replacement is quadratic in the inputs.
 */
function replaceAll(s: string, old: string, repl: string, ctx: BuiltinContext): string {
  const pieces = old === "" ? [...s] : s.split(old);
  const gaps = old === "" ? pieces.length + 1 : pieces.length - 1;
  const length = s.length - (old === "" ? 0 : gaps * old.length) + gaps * repl.length;
  checkStringLength("replace", length);
  charge(ctx.budget, textCost(length));
  if (old === "") return repl + pieces.map((c) => c + repl).join("");
  return pieces.join(repl);
}

/** `concat`: sized, checked and charged before joining (the pieces may repeat one long string). */
function concat(args: readonly Value[], ctx: BuiltinContext): string {
  const sep = str("concat", args, 0);
  const parts = strings("concat", args, 1);
  let length = parts.length > 0 ? (parts.length - 1) * sep.length : 0;
  for (const p of parts) length += p.length;
  checkStringLength("concat", length);
  charge(ctx.budget, textCost(length));
  return parts.join(sep);
}

function substring(args: readonly Value[]): Value {
  const runes = [...str("substring", args, 0)];
  const start = int("substring", args, 1);
  const length = int("substring", args, 2);
  if (start < 0) throw new BuiltinError("substring: negative offset");
  if (start >= runes.length) return "";
  return runes.slice(start, length < 0 ? undefined : start + length).join("");
}

/** Go's TrimLeft/TrimRight: drop code points found in `cutset` (no regex built per call). */
function trimLeft(s: string, cutset: string): string {
  const cut = new Set(cutset);
  const runes = [...s];
  let i = 0;
  while (i < runes.length && cut.has(runes[i] as string)) i++;
  return runes.slice(i).join("");
}

function trimRight(s: string, cutset: string): string {
  const cut = new Set(cutset);
  const runes = [...s];
  let end = runes.length;
  while (end > 0 && cut.has(runes[end - 1] as string)) end--;
  return runes.slice(0, end).join("");
}

/** format_int truncates toward zero, as OPA does before formatting. */
function formatInt(args: readonly Value[]): Value {
  const n = num("format_int", args, 0);
  const base = num("format_int", args, 1);
  if (![2, 8, 10, 16].includes(base)) throw new BuiltinError("format_int: base must be one of 2, 8, 10, 16");
  return BigInt(Math.trunc(n)).toString(base);
}

/**
 * `strings.replace_n(patterns, s)`: Go's strings.NewReplacer with the pairs in key order — one
 * left-to-right pass, and at each position the first pattern (in key order) that matches wins.
 */
function replaceN(args: readonly Value[], ctx: BuiltinContext): Value {
  const patterns = obj("strings.replace_n", args, 0);
  const s = str("strings.replace_n", args, 1);
  const pairs = patternPairs(patterns);
  // Each position is tried against every pattern.
  charge(ctx.budget, textCost(s.length) * Math.max(1, pairs.length));
  let out = "";
  let i = 0;
  while (i < s.length) {
    const hit = pairs.find(([old]) => old !== "" && s.startsWith(old, i));
    if (hit) {
      out += hit[1];
      checkStringLength("strings.replace_n", out.length);
      i += hit[0].length;
    } else {
      out += s[i];
      i++;
    }
  }
  return out;
}

function patternPairs(patterns: RegoObject): [string, string][] {
  return patterns.sortedEntries().map(([k, v]) => {
    if (typeof k !== "string" || typeof v !== "string") {
      throw new BuiltinError("strings.replace_n: patterns must map strings to strings");
    }
    return [k, v];
  });
}

function anyMatch(name: string, test: (s: string, affix: string) => boolean): Builtin {
  return {
    arity: 2,
    fn: (args) => {
      const search = strings(name, args, 0, true);
      const affixes = strings(name, args, 1, true);
      return search.some((s) => affixes.some((a) => test(s, a)));
    },
  };
}

/** Go's strings.Count: non-overlapping; an empty substring counts code points + 1. */
function countSubstrings(s: string, sub: string): number {
  if (sub === "") return [...s].length + 1;
  return s.split(sub).length - 1;
}

export const STRINGS: BuiltinTable = {
  concat: { arity: 2, fn: concat },
  contains: str2("contains", (s, sub) => s.includes(sub)),
  startswith: str2("startswith", (s, p) => s.startsWith(p)),
  endswith: str2("endswith", (s, p) => s.endsWith(p)),
  lower: strFn("lower", (s) => s.toLowerCase()),
  upper: strFn("upper", (s) => s.toUpperCase()),
  split: str2("split", split),
  replace: {
    arity: 3,
    fn: (args, ctx) => replaceAll(str("replace", args, 0), str("replace", args, 1), str("replace", args, 2), ctx),
  },
  substring: { arity: 3, fn: substring },
  trim: str2("trim", (s, c) => trimRight(trimLeft(s, c), c)),
  trim_left: str2("trim_left", trimLeft),
  trim_right: str2("trim_right", trimRight),
  trim_prefix: str2("trim_prefix", (s, p) => (s.startsWith(p) ? s.slice(p.length) : s)),
  trim_suffix: str2("trim_suffix", (s, p) => (p !== "" && s.endsWith(p) ? s.slice(0, -p.length) : s)),
  trim_space: strFn("trim_space", (s) => s.replace(LEADING_SPACE, "").replace(TRAILING_SPACE, "")),
  indexof: str2("indexof", (s, sub) => codePointMatches(s, sub, true)[0] ?? -1),
  indexof_n: str2("indexof_n", (s, sub) => codePointMatches(s, sub, false)),
  format_int: { arity: 2, fn: formatInt },
  "strings.replace_n": { arity: 2, fn: replaceN },
  "strings.reverse": strFn("strings.reverse", (s) => [...s].reverse().join("")),
  "strings.any_prefix_match": anyMatch("strings.any_prefix_match", (s, p) => s.startsWith(p)),
  "strings.any_suffix_match": anyMatch("strings.any_suffix_match", (s, p) => s.endsWith(p)),
  "strings.count": str2("strings.count", countSubstrings),
};
