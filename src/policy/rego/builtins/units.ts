/**
 * `units.parse` (SI and binary suffixes, "1.5G", "100m" = 0.1) and `units.parse_bytes` ("10KiB",
 * "5MB", case-insensitive). Besides OPA's suffixes we accept the remaining SI prefixes (Q, R, Y,
 * Z, h, da, d, c, μ, n, f, a, z, y, r, q), a strict superset. An unknown suffix is undefined.
 */
import type { Value } from "../value.js";
import { str } from "./args.js";
import { BuiltinError, type BuiltinTable } from "./types.js";

/** Decimal exponents; case matters (m is milli, M is mega), as in OPA. */
const SI: Readonly<Record<string, number>> = {
  Q: 30,
  R: 27,
  Y: 24,
  Z: 21,
  E: 18,
  e: 18,
  P: 15,
  p: 15,
  T: 12,
  t: 12,
  G: 9,
  g: 9,
  M: 6,
  K: 3,
  k: 3,
  h: 2,
  da: 1,
  d: -1,
  c: -2,
  m: -3,
  μ: -6,
  n: -9,
  f: -15,
  a: -18,
  z: -21,
  y: -24,
  r: -27,
  q: -30,
};

/** Binary powers of two, keyed by the lower-cased letter before "i". */
const BINARY: Readonly<Record<string, number>> = { k: 10, m: 20, g: 30, t: 40, p: 50, e: 60, z: 70, y: 80 };
/** Decimal byte exponents, keyed by the lower-cased letter. */
const BYTE_SI: Readonly<Record<string, number>> = { k: 3, m: 6, g: 9, t: 12, p: 15, e: 18, z: 21, y: 24, r: 27, q: 30 };

const NUMBER_THEN_SUFFIX = /^([0-9]*\.?[0-9]+|[0-9]+\.)(.*)$/;

function split(name: string, raw: string): [string, string] | undefined {
  const s = raw.replace(/^"(.*)"$/, "$1");
  if (/\s/.test(s)) throw new BuiltinError(`${name}: spaces not allowed in resource string`);
  const m = NUMBER_THEN_SUFFIX.exec(s);
  if (m === null) throw new BuiltinError(`${name}: no amount provided`);
  return [m[1] ?? "", m[2] ?? ""];
}

/** Scales exactly: decimal exponents through the decimal text, binary ones by powers of two. */
function scale(amount: string, decimalExp: number, binaryExp: number): number {
  return Number(`${amount}e${decimalExp}`) * 2 ** binaryExp;
}

function parseUnits(raw: string): Value | undefined {
  const parts = split("units.parse", raw);
  if (parts === undefined) return undefined;
  const [amount, suffix] = parts;
  if (suffix === "") return scale(amount, 0, 0);
  if (suffix.length === 2 && /^[iI]$/.test(suffix[1] ?? "")) {
    const bin = BINARY[(suffix[0] ?? "").toLowerCase()];
    return bin === undefined ? undefined : scale(amount, 0, bin);
  }
  const dec = SI[suffix];
  return dec === undefined ? undefined : scale(amount, dec, 0);
}

function parseBytes(raw: string): Value | undefined {
  const parts = split("units.parse_bytes", raw);
  if (parts === undefined) return undefined;
  const [amount, suffix] = parts;
  const unit = suffix.toLowerCase().replace(/b$/, "");
  if (unit === "") return Math.trunc(scale(amount, 0, 0));
  if (unit.length === 2 && unit.endsWith("i")) {
    const bin = BINARY[unit[0] ?? ""];
    return bin === undefined ? undefined : Math.trunc(scale(amount, 0, bin));
  }
  const dec = BYTE_SI[unit];
  return dec === undefined || unit.length !== 1 ? undefined : Math.trunc(scale(amount, dec, 0));
}

export const UNITS: BuiltinTable = {
  "units.parse": { arity: 1, fn: (args) => parseUnits(str("units.parse", args, 0)) },
  "units.parse_bytes": { arity: 1, fn: (args) => parseBytes(str("units.parse_bytes", args, 0)) },
};
