/**
 * `time.*` builtins. Timestamps are int64 nanoseconds in OPA; here they arrive as doubles, so we
 * recover the integer the policy wrote from the double's shortest decimal form (exact for any
 * literal of up to 17 significant digits) and compute on BigInt from there.
 */
import type { Value } from "../value.js";
import { arg, int, str, typeFail } from "./args.js";
import { daysInMonth, fromCivil, inInt64Range, resolveZone, toCivil } from "./calendar.js";
import { parseDuration } from "./go-duration.js";
import { DAYS, formatTime } from "./go-time-layout.js";
import { parseTime } from "./go-time-parse.js";
import { type Builtin, BuiltinError, type BuiltinTable } from "./types.js";

interface Instant {
  ns: bigint;
  zone: string | undefined;
  layout: string | undefined;
}

export function nsFromNumber(n: number): bigint {
  if (!Number.isFinite(n) || Math.abs(n) >= 1e21) throw new BuiltinError("timestamp out of range");
  return BigInt(String(Math.trunc(n)));
}

function nsToNumber(ns: bigint): number | undefined {
  return inInt64Range(ns) ? Number(ns) : undefined;
}

/** `ns` or `[ns, tz]` or (for time.format) `[ns, tz, layout]`. */
function instant(name: string, args: readonly Value[], pos: number): Instant {
  const v = arg(args, pos);
  if (typeof v === "number") return { ns: nsFromNumber(v), zone: undefined, layout: undefined };
  const parts = Array.isArray(v) ? (v as readonly Value[]) : [];
  const [ns, tz, layout] = parts;
  const okShape = parts.length >= 2 && parts.length <= 3 && typeof ns === "number" && typeof tz === "string";
  if (!okShape) return typeFail(name, pos, "number or [number, string]", v);
  if (layout !== undefined && typeof layout !== "string") return typeFail(name, pos, "[number, string, string]", v);
  return { ns: nsFromNumber(ns), zone: resolveZone(tz), layout };
}

function civilBuiltin(name: string, pick: (c: ReturnType<typeof toCivil>) => Value): Builtin {
  return {
    arity: 1,
    fn: (args) => {
      const t = instant(name, args, 0);
      return pick(toCivil(t.ns, t.zone));
    },
  };
}

/** Go's AddDate: add to the wall-clock fields and let them carry (Jan 31 + 1 month = Mar 3). */
function addDate(args: readonly Value[]): Value | undefined {
  const t = instant("time.add_date", args, 0);
  const years = int("time.add_date", args, 1);
  const months = int("time.add_date", args, 2);
  const days = int("time.add_date", args, 3);
  const c = toCivil(t.ns, t.zone);
  const year = c.year + years;
  if (Math.abs(year) > 300_000) return undefined; // far outside int64 nanoseconds anyway
  const out = fromCivil({ ...c, year, month: c.month + months, day: c.day + days }, t.zone);
  return nsToNumber(out);
}

/** OPA's time.diff: calendar difference between two instants, in the first one's zone. */
function diff(args: readonly Value[]): Value {
  const a = instant("time.diff", args, 0);
  const b = instant("time.diff", args, 1);
  const [lo, hi] = a.ns <= b.ns ? [a.ns, b.ns] : [b.ns, a.ns];
  const x = toCivil(lo, a.zone);
  const y = toCivil(hi, a.zone);
  let [years, months, days] = [y.year - x.year, y.month - x.month, y.day - x.day];
  let [hours, minutes, seconds] = [y.hour - x.hour, y.minute - x.minute, y.second - x.second];
  if (seconds < 0) [seconds, minutes] = [seconds + 60, minutes - 1];
  if (minutes < 0) [minutes, hours] = [minutes + 60, hours - 1];
  if (hours < 0) [hours, days] = [hours + 24, days - 1];
  if (days < 0) [days, months] = [days + daysInMonth(x.year, x.month), months - 1];
  if (months < 0) [months, years] = [months + 12, years - 1];
  return [years, months, days, hours, minutes, seconds];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseRfc3339(s: string): Value | undefined {
  if (!RFC3339.test(s)) throw new BuiltinError(`time.parse_rfc3339_ns: cannot parse ${JSON.stringify(s)}`);
  const normalized = s.replace(/[tz]/g, (c) => c.toUpperCase());
  return nsToNumber(parseTime("2006-01-02T15:04:05.999999999Z07:00", normalized));
}

function format(args: readonly Value[]): Value {
  const t = instant("time.format", args, 0);
  return formatTime(t.ns, t.zone, t.layout ?? "2006-01-02T15:04:05.999999999Z07:00");
}

export const TIME: BuiltinTable = {
  "time.now_ns": { arity: 0, fn: (_args, ctx) => ctx.nowNs },
  "time.parse_ns": {
    arity: 2,
    fn: (args) => nsToNumber(parseTime(str("time.parse_ns", args, 0), str("time.parse_ns", args, 1))),
  },
  "time.parse_rfc3339_ns": { arity: 1, fn: (args) => parseRfc3339(str("time.parse_rfc3339_ns", args, 0)) },
  "time.parse_duration_ns": {
    arity: 1,
    fn: (args) => Number(parseDuration(str("time.parse_duration_ns", args, 0))),
  },
  "time.date": civilBuiltin("time.date", (c) => [c.year, c.month, c.day]),
  "time.clock": civilBuiltin("time.clock", (c) => [c.hour, c.minute, c.second]),
  "time.weekday": civilBuiltin("time.weekday", (c) => DAYS[c.weekday] ?? ""),
  "time.add_date": { arity: 4, fn: addDate },
  "time.diff": { arity: 2, fn: diff },
  "time.format": { arity: 1, fn: format },
};
