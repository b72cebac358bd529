/**
 * Civil-calendar arithmetic on nanosecond timestamps, independent of JS Date's millisecond
 * precision: days <-> (year, month, day) with the proleptic Gregorian calendar, and time-zone
 * offsets from Intl (IANA names, "UTC"/"" for UTC, "Local" for the host zone, as Go's LoadLocation).
 */
import { BuiltinError } from "./types.js";

export const NS_PER_SEC = 1_000_000_000n;
const SEC_PER_DAY = 86_400;
const INT64_MAX = 9_223_372_036_854_775_807n;

export interface Civil {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  /** Seconds east of UTC in effect at that instant. */
  offset: number;
  /** 0 = Sunday, as Go's time.Weekday. */
  weekday: number;
  yearDay: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month may be out of 1..12; it carries). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y0 = year + Math.floor((month - 1) / 12);
  const m0 = (((month - 1) % 12) + 12) % 12;
  const y = m0 < 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m0 + 10) % 12; // months counted from March, so leap days fall at the end
  const doy = Math.floor((153 * mp + 2) / 5);
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468 + (day - 1);
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function daysInMonth(year: number, month: number): number {
  return daysFromCivil(year, month + 1, 1) - daysFromCivil(year, month, 1);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
    } catch {
      throw new BuiltinError(`unknown time zone ${zone}`);
    }
    formatters.set(zone, f);
  }
  return f;
}

/** Normalises Go's zone names: "" and "UTC" are UTC, "Local" is the host's zone. */
export function resolveZone(tz: string): string | undefined {
  if (tz === "" || tz === "UTC") return undefined;
  if (tz === "Local") return Intl.DateTimeFormat().resolvedOptions().timeZone;
  formatterFor(tz);
  return tz;
}

/** Offset (seconds east of UTC) of `zone` at the instant `epochSeconds`. */
export function zoneOffset(zone: string | undefined, epochSeconds: number): number {
  if (zone === undefined) return 0;
  const parts = formatterFor(zone).formatToParts(new Date(epochSeconds * 1000));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const era = parts.find((p) => p.type === "era")?.value;
  const year = era === "BC" ? 1 - get("year") : get("year");
  const wall = daysFromCivil(year, get("month"), get("day")) * SEC_PER_DAY + get("hour") * 3600 + get("minute") * 60;
  return wall + get("second") - Math.floor(epochSeconds);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export function toCivil(ns: bigint, zone: string | undefined): Civil {
  const secs = floorDiv(ns, NS_PER_SEC);
  const nanos = Number(ns - secs * NS_PER_SEC);
  const offset = zoneOffset(zone, Number(secs));
  const local = Number(secs) + offset;
  const days = Math.floor(local / SEC_PER_DAY);
  const secOfDay = local - days * SEC_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  return {
    year,
    month,
    day,
    hour: Math.floor(secOfDay / 3600),
    minute: Math.floor((secOfDay % 3600) / 60),
    second: secOfDay % 60,
    nanos,
    offset,
    weekday: (((days + 4) % 7) + 7) % 7,
    yearDay: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/** Wall-clock fields in `zone` back to an instant; fields may overflow and carry, as Go's time.Date. */
export function fromCivil(
  c: Pick<Civil, "year" | "month" | "day" | "hour" | "minute" | "second" | "nanos">,
  zone: string | undefined,
): bigint {
  const local = daysFromCivil(c.year, c.month, c.day) * SEC_PER_DAY + c.hour * 3600 + c.minute * 60 + c.second;
  // The offset depends on the instant we are solving for; two rounds settle DST transitions.
  let utc = local - zoneOffset(zone, local);
  utc = local - zoneOffset(zone, utc);
  return BigInt(utc) * NS_PER_SEC + BigInt(c.nanos);
}

export function inInt64Range(ns: bigint): boolean {
  return ns <= INT64_MAX && ns >= -INT64_MAX - 1n;
}
