/** Parsing with Go layouts (Go's time.Parse): the inverse of formatTime in go-time-layout.ts. */
import { civilFromDays, daysFromCivil, daysInMonth, fromCivil } from "./calendar.js";
import { DAYS, MONTHS, NAMED_LAYOUTS, tokenize } from "./go-time-layout.js";
import { BuiltinError } from "./types.js";

interface Fields {
  year: number;
  month: number;
  day: number;
  yearDay: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  pm: boolean | undefined;
  offset: number | undefined;
}

class Cursor {
  constructor(
    readonly text: string,
    public pos = 0,
  ) {}

  fail(): never {
    throw new BuiltinError(`cannot parse ${JSON.stringify(this.text)} at position ${this.pos}`);
  }

  /** Exactly `width` digits when fixed, else 1..`width` digits. */
  digits(width: number, fixed: boolean): number {
    const m = /^\d+/.exec(this.text.slice(this.pos));
    const run = m?.[0] ?? "";
    const take = Math.min(run.length, width);
    if (take === 0 || (fixed && take < width)) this.fail();
    this.pos += take;
    return Number(run.slice(0, take));
  }

  spaces(): void {
    while (this.text[this.pos] === " ") this.pos++;
  }

  literal(s: string): void {
    if (!this.text.startsWith(s, this.pos)) this.fail();
    this.pos += s.length;
  }

  /** Case-insensitive name lookup (Go matches month and day names ignoring ASCII case). */
  name(names: readonly string[], short: boolean): number {
    const rest = this.text.slice(this.pos).toLowerCase();
    const i = names.findIndex((n) => rest.startsWith((short ? n.slice(0, 3) : n).toLowerCase()));
    if (i < 0) this.fail();
    this.pos += short ? 3 : (names[i] as string).length;
    return i;
  }

  /** Optional fraction after seconds when the layout has none (Go accepts it). */
  optionalFraction(): number {
    const m = /^[.,](\d+)/.exec(this.text.slice(this.pos));
    if (m === null) return 0;
    this.pos += m[0].length;
    return Number((m[1] ?? "").padEnd(9, "0").slice(0, 9));
  }
}

function parseOffset(cur: Cursor, std: string): number {
  if (std.startsWith("Z") && cur.text[cur.pos] === "Z") {
    cur.pos++;
    return 0;
  }
  const sign = cur.text[cur.pos];
  if (sign !== "+" && sign !== "-") return cur.fail();
  cur.pos++;
  const body = std.slice(1);
  const hh = cur.digits(2, true);
  let mm = 0;
  let ss = 0;
  if (body.length > 2) {
    if (body.includes(":")) cur.literal(":");
    mm = cur.digits(2, true);
  }
  if (body.length > 5 || body === "070000") {
    if (body.includes(":")) cur.literal(":");
    ss = cur.digits(2, true);
  }
  const total = hh * 3600 + mm * 60 + ss;
  return sign === "-" ? -total : total;
}

function parseChunk(cur: Cursor, std: string, f: Fields, nextIsFraction: boolean): void {
  switch (std) {
    case "January":
    case "Jan":
      f.month = cur.name(MONTHS, std === "Jan") + 1;
      return;
    case "Monday":
    case "Mon":
      cur.name(DAYS, std === "Mon");
      return;
    case "MST": {
      const m = /^(?:[A-Z]{3,5}|[+-]\d{2,4})/.exec(cur.text.slice(cur.pos));
      if (m === null) cur.fail();
      cur.pos += m[0].length;
      if (m[0] === "UTC" || m[0] === "GMT") f.offset = 0;
      return;
    }
    case "2006":
      f.year = cur.digits(4, true);
      return;
    case "06": {
      const y = cur.digits(2, true);
      f.year = y >= 69 ? 1900 + y : 2000 + y;
      return;
    }
    case "01":
    case "1":
      f.month = cur.digits(2, std === "01");
      return;
    case "02":
    case "2":
    case "_2":
      if (std === "_2") cur.spaces();
      f.day = cur.digits(2, std === "02");
      return;
    case "002":
    case "__2":
      if (std === "__2") cur.spaces();
      f.yearDay = cur.digits(3, std === "002");
      return;
    case "15":
    case "03":
    case "3":
      f.hour = cur.digits(2, std === "03");
      return;
    case "04":
    case "4":
      f.minute = cur.digits(2, std === "04");
      return;
    case "05":
    case "5":
      f.second = cur.digits(2, std === "05");
      if (!nextIsFraction) f.nanos = cur.optionalFraction();
      return;
    case "PM":
    case "pm": {
      const ap = cur.text.slice(cur.pos, cur.pos + 2).toUpperCase();
      if (ap !== "AM" && ap !== "PM") cur.fail();
      f.pm = ap === "PM";
      cur.pos += 2;
      return;
    }
    default:
      if (std.startsWith(".") || std.startsWith(",")) parseFraction(cur, std, f);
      else f.offset = parseOffset(cur, std);
  }
}

/** `.000` needs exactly that many digits; `.999` takes any number (or none at all). */
function parseFraction(cur: Cursor, std: string, f: Fields): void {
  const m = /^[.,](\d+)/.exec(cur.text.slice(cur.pos));
  if (std[1] === "0" && (m === null || (m[1] ?? "").length !== std.length - 1)) cur.fail();
  if (m === null) return;
  cur.pos += m[0].length;
  f.nanos = Number((m[1] ?? "").padEnd(9, "0").slice(0, 9));
}

function validate(f: Fields, cur: Cursor): void {
  if (f.pm !== undefined) {
    if (f.hour < 1 || f.hour > 12) cur.fail();
    if (f.pm && f.hour < 12) f.hour += 12;
    if (!f.pm && f.hour === 12) f.hour = 0;
  }
  if (f.yearDay > 0) {
    const date = civilFromDays(daysFromCivil(f.year, 1, 1) + f.yearDay - 1);
    if (date.year !== f.year) cur.fail();
    f.month = date.month;
    f.day = date.day;
  }
  const bad =
    f.month < 1 ||
    f.month > 12 ||
    f.day < 1 ||
    f.day > daysInMonth(f.year, f.month) ||
    f.hour > 23 ||
    f.minute > 59 ||
    f.second > 59;
  if (bad) throw new BuiltinError(`parsing time ${JSON.stringify(cur.text)}: value out of range`);
}

/** Go's time.Parse: the result is UTC unless the text carries an offset. */
export function parseTime(layout: string, text: string): bigint {
  const tokens = tokenize(NAMED_LAYOUTS[layout] ?? layout);
  const f: Fields = {
    year: 0,
    month: 1,
    day: 1,
    yearDay: 0,
    hour: 0,
    minute: 0,
    second: 0,
    nanos: 0,
    pm: undefined,
    offset: undefined,
  };
  const cur = new Cursor(text);
  tokens.forEach((t, i) => {
    if ("literal" in t) {
      cur.literal(t.literal);
      return;
    }
    const next = tokens[i + 1];
    const nextIsFraction = next !== undefined && "std" in next && /^[.,]/.test(next.std);
    parseChunk(cur, t.std, f, nextIsFraction);
  });
  if (cur.pos !== text.length) throw new BuiltinError(`parsing time ${JSON.stringify(text)}: extra text`);
  validate(f, cur);
  const local = fromCivil({ ...f, nanos: 0 }, undefined);
  return local - BigInt(f.offset ?? 0) * 1_000_000_000n + BigInt(f.nanos);
}
