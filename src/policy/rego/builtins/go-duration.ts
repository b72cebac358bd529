/** Go's time.ParseDuration ("1h6m13.3s", "-1.5h", "300ms", "0"), to nanoseconds. */
import { BuiltinError } from "./types.js";

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const PART = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
const INT64_MAX = 9_223_372_036_854_775_807n;

export function parseDuration(text: string): bigint {
  const bad = () => new BuiltinError(`time: invalid duration ${JSON.stringify(text)}`);
  let s = text;
  let negative = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    negative = s.startsWith("-");
    s = s.slice(1);
  }
  if (s === "0") return 0n;
  if (s === "") throw bad();
  let total = 0n;
  while (s !== "") {
    const m = PART.exec(s);
    const [whole = "", frac = "", unitName = ""] = m?.slice(1) ?? [];
    if (m === null || (whole === "" && frac === "")) throw bad();
    const unit = UNITS[unitName] ?? 1n;
    total += BigInt(whole || "0") * unit;
    // Like Go: the fraction goes through a float64 product, truncated toward zero.
    if (frac !== "") total += BigInt(Math.trunc(Number(`0.${frac}`) * Number(unit)));
    if (total > INT64_MAX) throw bad();
    s = s.slice(m[0].length);
  }
  return negative ? -total : total;
}
