/**
 * Go's reference-time layouts ("2006-01-02T15:04:05Z07:00") for formatting and parsing, over the
 * nanosecond calendar in calendar.ts. Covers the standard chunks of Go's time package.
 */
import { type Civil, toCivil } from "./calendar.js";

export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
export const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Go's named layout constants, which OPA accepts by name. */
export const NAMED_LAYOUTS: Readonly<Record<string, string>> = {
  ANSIC: "Mon Jan _2 15:04:05 2006",
  UnixDate: "Mon Jan _2 15:04:05 MST 2006",
  RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
  RFC822: "02 Jan 06 15:04 MST",
  RFC822Z: "02 Jan 06 15:04 -0700",
  RFC850: "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
  RFC3339: "2006-01-02T15:04:05Z07:00",
  RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
  Kitchen: "3:04PM",
  Stamp: "Jan _2 15:04:05",
  StampMilli: "Jan _2 15:04:05.000",
  StampMicro: "Jan _2 15:04:05.000000",
  StampNano: "Jan _2 15:04:05.000000000",
  DateTime: "2006-01-02 15:04:05",
  DateOnly: "2006-01-02",
  TimeOnly: "15:04:05",
};

/** Standard chunks, longest first where they share a prefix (Go's nextStdChunk order). */
const CHUNKS = [
  "January",
  "Jan",
  "Monday",
  "Mon",
  "MST",
  "2006",
  "002",
  "__2",
  "_2",
  "01",
  "02",
  "03",
  "04",
  "05",
  "06",
  "15",
  "1",
  "2",
  "3",
  "4",
  "5",
  "PM",
  "pm",
  "-07:00:00",
  "-070000",
  "-07:00",
  "-0700",
  "-07",
  "Z07:00:00",
  "Z070000",
  "Z07:00",
  "Z0700",
  "Z07",
];

type Token = { std: string } | { literal: string };

function fractionAt(layout: string, i: number): string | undefined {
  const c = layout[i];
  if (c !== "." && c !== ",") return undefined;
  const m = /^[.,](0+|9+)/.exec(layout.slice(i));
  if (m === null) return undefined;
  const next = layout[i + m[0].length] ?? "";
  return /[0-9]/.test(next) ? undefined : m[0];
}

const tokenCache = new Map<string, Token[]>();

export function tokenize(layout: string): Token[] {
  const cached = tokenCache.get(layout);
  if (cached !== undefined) return cached;
  const out: Token[] = [];
  let lit = "";
  for (let i = 0; i < layout.length; ) {
    const frac = fractionAt(layout, i);
    const std = frac ?? CHUNKS.find((c) => layout.startsWith(c, i));
    if (std === undefined) {
      lit += layout[i];
      i++;
      continue;
    }
    if (lit !== "") out.push({ literal: lit });
    lit = "";
    out.push({ std });
    i += std.length;
  }
  if (lit !== "") out.push({ literal: lit });
  if (tokenCache.size < 256) tokenCache.set(layout, out);
  return out;
}

const pad = (n: number, w: number, fill = "0") => String(n).padStart(w, fill);

function formatOffset(std: string, offset: number): string {
  if (std.startsWith("Z") && offset === 0) return "Z";
  const sign = offset < 0 ? "-" : "+";
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 3600), 2);
  const mm = pad(Math.floor((abs % 3600) / 60), 2);
  const ss = pad(abs % 60, 2);
  const body = std.slice(1);
  if (body === "07") return sign + hh;
  if (body === "0700") return sign + hh + mm;
  if (body === "07:00") return `${sign}${hh}:${mm}`;
  if (body === "070000") return sign + hh + mm + ss;
  return `${sign}${hh}:${mm}:${ss}`;
}

function formatFraction(std: string, nanos: number): string {
  const digits = pad(nanos, 9).slice(0, std.length - 1);
  if (std[1] === "0") return std[0] + digits;
  const trimmed = digits.replace(/0+$/, "");
  return trimmed === "" ? "" : std[0] + trimmed;
}

function formatChunk(std: string, c: Civil, zoneName: string): string {
  const hour12 = c.hour % 12 === 0 ? 12 : c.hour % 12;
  const simple: Record<string, () => string> = {
    January: () => MONTHS[c.month - 1] ?? "",
    Jan: () => (MONTHS[c.month - 1] ?? "").slice(0, 3),
    Monday: () => DAYS[c.weekday] ?? "",
    Mon: () => (DAYS[c.weekday] ?? "").slice(0, 3),
    MST: () => zoneName,
    "2006": () => (c.year < 0 ? `-${pad(-c.year, 4)}` : pad(c.year, 4)),
    "06": () => pad(((c.year % 100) + 100) % 100, 2),
    "01": () => pad(c.month, 2),
    "1": () => String(c.month),
    "02": () => pad(c.day, 2),
    "2": () => String(c.day),
    _2: () => pad(c.day, 2, " "),
    "002": () => pad(c.yearDay, 3),
    __2: () => pad(c.yearDay, 3, " "),
    "15": () => pad(c.hour, 2),
    "03": () => pad(hour12, 2),
    "3": () => String(hour12),
    "04": () => pad(c.minute, 2),
    "4": () => String(c.minute),
    "05": () => pad(c.second, 2),
    "5": () => String(c.second),
    PM: () => (c.hour >= 12 ? "PM" : "AM"),
    pm: () => (c.hour >= 12 ? "pm" : "am"),
  };
  const f = simple[std];
  if (f !== undefined) return f();
  if (std.startsWith(".") || std.startsWith(",")) return formatFraction(std, c.nanos);
  return formatOffset(std, c.offset);
}

/** Formats instant `ns` in `zone` with a Go layout. */
export function formatTime(ns: bigint, zone: string | undefined, layout: string): string {
  const c = toCivil(ns, zone);
  const zoneName = zone === undefined ? "UTC" : shortZoneName(zone, ns);
  return tokenize(NAMED_LAYOUTS[layout] ?? layout)
    .map((t) => ("literal" in t ? t.literal : formatChunk(t.std, c, zoneName)))
    .join("");
}

function shortZoneName(zone: string, ns: bigint): string {
  const date = new Date(Number(ns / 1_000_000n));
  const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? zone;
}
