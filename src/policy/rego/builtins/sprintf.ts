/**
 * `sprintf(format, values)` with Go's fmt semantics, fed the way OPA feeds it: integral numbers
 * as int64, other numbers as float64, strings as Go strings, and every other value as its Rego
 * text (so `%v` of an object prints `{"a": 1}`). Mismatches print Go's `%!verb(type=value)`
 * markers instead of failing, as OPA does.
 */
import { checkStringLength } from "../limits.js";
import type { Value } from "../value.js";
import { arr, str } from "./args.js";
import { regoText } from "./rego-text.js";
import type { BuiltinTable } from "./types.js";

type GoArg =
  | { readonly kind: "int"; readonly v: bigint }
  | { readonly kind: "float"; readonly v: number }
  | { readonly kind: "string"; readonly v: string }
  | { readonly kind: "bool"; readonly v: boolean };

interface Spec {
  minus: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  sharp: boolean;
  width: number | undefined;
  precision: number | undefined;
  verb: string;
}

function toGoArg(v: Value): GoArg {
  if (typeof v === "number") {
    // Integral values print as integers (OPA passes int64 or big.Int); the shortest decimal form
    // recovers the digits of large literals such as nanosecond timestamps.
    return Number.isInteger(v) && Math.abs(v) < 1e21 ? { kind: "int", v: BigInt(String(v)) } : { kind: "float", v };
  }
  if (typeof v === "string") return { kind: "string", v };
  // OPA passes booleans as their text; we keep them boolean so `%t` works (documented deviation).
  if (typeof v === "boolean") return { kind: "bool", v };
  return { kind: "string", v: regoText(v) };
}

const GO_TYPE = { int: "int64", float: "float64", string: "string", bool: "bool" } as const;

function plain(a: GoArg): string {
  switch (a.kind) {
    case "int":
      return a.v.toString();
    case "float":
      return formatG(a.v, undefined);
    case "string":
      return a.v;
    case "bool":
      return String(a.v);
  }
}

function badVerb(verb: string, a: GoArg): string {
  return `%!${verb}(${GO_TYPE[a.kind]}=${plain(a)})`;
}

/** Go's strconv.Quote: printable runes kept, the rest escaped. */
export function goQuote(s: string): string {
  const named: Record<string, string> = {
    "\u0007": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
  };
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const esc = named[ch];
    if (esc !== undefined) out += esc;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else if (/\p{C}|\p{Z}/u.test(ch) && ch !== " ") out += goUnicodeEscape(cp);
    else out += ch;
  }
  return `${out}"`;
}

function goUnicodeEscape(cp: number): string {
  return cp > 0xffff ? `\\U${cp.toString(16).padStart(8, "0")}` : `\\u${cp.toString(16).padStart(4, "0")}`;
}

/** Go's exponent form: at least two exponent digits (`1.5e+06`). */
function goExponent(s: string): string {
  return s.replace(/e([+-])(\d)$/, "e$10$2");
}

/** JS formats at most 100 digits; Go pads exact expansions with zeros beyond what a double holds. */
const JS_MAX_DIGITS = 100;

function extraZeros(precision: number | undefined): string {
  return precision !== undefined && precision > JS_MAX_DIGITS ? "0".repeat(precision - JS_MAX_DIGITS) : "";
}

function jsDigits(precision: number | undefined, fallback: number): number {
  return Math.min(precision ?? fallback, JS_MAX_DIGITS);
}

function formatE(x: number, precision: number | undefined): string {
  const s = x.toExponential(jsDigits(precision, 6));
  const e = s.indexOf("e");
  return goExponent(s.slice(0, e) + extraZeros(precision) + s.slice(e));
}

/**
 * Go's %g: shortest round-trip digits when no precision is given, else that many significant
 * digits with trailing zeros dropped; exponent form when exp < -4 or exp >= (precision, or 6).
 */
function formatG(x: number, precision: number | undefined): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf";
  if (x === 0) return "0";
  // %g drops trailing zeros, so digits past what JS can format would all be dropped anyway.
  const digits = precision === undefined ? undefined : Math.min(Math.max(precision, 1), JS_MAX_DIGITS);
  const expForm = digits === undefined ? x.toExponential() : x.toExponential(digits - 1);
  const exp = Number(expForm.slice(expForm.indexOf("e") + 1));
  if (exp < -4 || exp >= (digits ?? 6)) return goExponent(expForm.replace(/\.?0+e/, "e"));
  const fixed = digits === undefined ? String(x) : x.toPrecision(digits);
  return fixed.includes(".") ? fixed.replace(/\.?0+$/, "") : fixed;
}

function formatInt(a: bigint, verb: string, spec: Spec): string | undefined {
  const neg = a < 0n;
  const abs = neg ? -a : a;
  const body: Record<string, () => string> = {
    d: () => abs.toString(),
    v: () => abs.toString(),
    x: () => (spec.sharp ? "0x" : "") + abs.toString(16),
    X: () => (spec.sharp ? "0X" : "") + abs.toString(16).toUpperCase(),
    o: () => (spec.sharp ? "0" : "") + abs.toString(8),
    O: () => `0o${abs.toString(8)}`,
    b: () => abs.toString(2),
  };
  const f = body[verb];
  if (f === undefined) return undefined;
  return signed(neg, f(), spec);
}

function signed(neg: boolean, digits: string, spec: Spec): string {
  const sign = neg ? "-" : spec.plus ? "+" : spec.space ? " " : "";
  return sign + digits;
}

function formatFloat(x: number, verb: string, spec: Spec): string | undefined {
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  let body: string;
  switch (verb) {
    case "f":
    case "F":
      body = Number.isFinite(abs)
        ? abs.toFixed(jsDigits(spec.precision, 6)) + extraZeros(spec.precision)
        : formatG(abs, undefined);
      break;
    case "e":
    case "E":
      body = formatE(abs, spec.precision);
      break;
    case "g":
    case "G":
    case "v":
      body = formatG(abs, spec.precision);
      break;
    default:
      return undefined;
  }
  if (verb === "E" || verb === "G") body = body.toUpperCase();
  return signed(neg, body, spec);
}

function formatString(s: string, verb: string, spec: Spec): string | undefined {
  const cut = spec.precision === undefined ? s : [...s].slice(0, spec.precision).join("");
  switch (verb) {
    case "s":
    case "v":
      return cut;
    case "q":
      return goQuote(cut);
    case "x":
    case "X": {
      const hex = Buffer.from(cut, "utf8").toString("hex");
      return verb === "X" ? hex.toUpperCase() : hex;
    }
    default:
      return undefined;
  }
}

function formatArg(a: GoArg, spec: Spec): string {
  const { verb } = spec;
  let out: string | undefined;
  if (a.kind === "int") {
    if (verb === "c") out = goRune(a.v);
    else if (verb === "q") out = `'${goRune(a.v)}'`;
    else if (verb === "U") out = `U+${a.v.toString(16).toUpperCase().padStart(4, "0")}`;
    else out = formatInt(a.v, verb, spec);
  } else if (a.kind === "float") out = formatFloat(a.v, verb, spec);
  else if (a.kind === "string") out = formatString(a.v, verb, spec);
  else if (verb === "t" || verb === "v") out = String(a.v);
  return out === undefined ? badVerb(verb, a) : pad(out, spec, a.kind === "int" || a.kind === "float");
}

/** Go prints an invalid code point (negative, a surrogate, past U+10FFFF) as U+FFFD. */
function goRune(v: bigint): string {
  const valid = v >= 0n && v <= 0x10ffffn && (v < 0xd800n || v > 0xdfffn);
  return valid ? String.fromCodePoint(Number(v)) : "\ufffd";
}

function pad(s: string, spec: Spec, numeric: boolean): string {
  const width = spec.width ?? 0;
  checkStringLength("sprintf", width);
  const len = [...s].length;
  if (len >= width) return s;
  const fill = width - len;
  if (spec.minus) return s + " ".repeat(fill);
  if (spec.zero && numeric && !/Inf|NaN/.test(s)) {
    const signLen = /^[+\- ]/.test(s) ? 1 : 0;
    return s.slice(0, signLen) + "0".repeat(fill) + s.slice(signLen);
  }
  return " ".repeat(fill) + s;
}

const SPEC = /^([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/;

/**
 * Go's fmt parses a width or precision only while it is at most 1e6 before the next digit; a
 * longer number ends the whole format with `%!(NOVERB)`. Emulating that keeps OPA's output and
 * bounds the padding a format can ask for (to about 1e7 characters, see `checkStringLength`).
 */
function goNumber(digits: string | undefined): number | undefined | "overflow" {
  if (digits === undefined) return undefined;
  let n = 0;
  for (const d of digits) {
    if (n > 1e6) return "overflow";
    n = n * 10 + Number(d);
  }
  return n;
}

/** Formats `format` against `args` with Go's verb grammar (flags, width, precision, verb). */
export function goSprintf(format: string, values: readonly Value[]): string {
  const args = values.map(toGoArg);
  let out = "";
  let next = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf("%", i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    const m = SPEC.exec(format.slice(pct + 1));
    if (m === null) {
      out += "%!(NOVERB)";
      break;
    }
    i = pct + 1 + m[0].length;
    const [, flags = "", widthText, precisionText, verb = ""] = m;
    const width = goNumber(widthText);
    const precision = goNumber(precisionText === undefined ? undefined : precisionText || "0");
    if (width === "overflow" || precision === "overflow") {
      out += "%!(NOVERB)";
      break;
    }
    if (verb === "%") {
      out += "%";
      continue;
    }
    const spec: Spec = {
      minus: flags.includes("-"),
      plus: flags.includes("+"),
      space: flags.includes(" "),
      zero: flags.includes("0"),
      sharp: flags.includes("#"),
      width,
      precision,
      verb,
    };
    const a = args[next++];
    out += a === undefined ? `%!${verb}(MISSING)` : formatArg(a, spec);
    checkStringLength("sprintf", out.length);
  }
  if (next < args.length) {
    const extra = args.slice(next).map((a) => `${GO_TYPE[a.kind]}=${plain(a)}`);
    out += `%!(EXTRA ${extra.join(", ")})`;
  }
  return out;
}

export const SPRINTF: BuiltinTable = {
  sprintf: { arity: 2, fn: (args) => goSprintf(str("sprintf", args, 0), arr("sprintf", args, 1)) },
};
