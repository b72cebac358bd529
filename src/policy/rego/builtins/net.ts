/**
 * `net.cidr_*` builtins for IPv4 and IPv6. Addresses are BigInts with their family's bit width;
 * an address without a prefix length is a /32 (or /128) network, as OPA treats it.
 */
import { RegoSet, type Value } from "../value.js";
import { arg, collection, str, typeFail } from "./args.js";
import { BuiltinError, type BuiltinTable } from "./types.js";

interface Net {
  readonly bits: 32 | 128;
  readonly start: bigint;
  readonly prefix: number;
}

/** Largest network `net.cidr_expand` will enumerate, to keep one call from exhausting memory. */
const MAX_EXPAND = 65_536n;

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out = (out << 8n) | BigInt(p);
  }
  return out;
}

/** IPv6 text, including `::` compression and a trailing dotted IPv4 part (`::ffff:1.2.3.4`). */
function parseIPv6(s: string): bigint | undefined {
  let text = s;
  const tail: bigint[] = [];
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    const n = parseIPv4(last);
    if (n === undefined) return undefined;
    tail.push(n >> 16n, n & 0xffffn);
    text = s.slice(0, lastColon + 1);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const group = (h: string) => (h === "" ? [] : h.split(":"));
  const head = group(halves[0] ?? "");
  const rest = halves.length === 2 ? group(halves[1] ?? "") : [];
  const words = [...head, ...rest].map((w) => (/^[0-9a-fA-F]{1,4}$/.test(w) ? BigInt(`0x${w}`) : undefined));
  if (words.includes(undefined)) return undefined;
  const total = words.length + tail.length;
  if ((halves.length === 1 && total !== 8) || (halves.length === 2 && total > 7)) return undefined;
  const zeros = Array<bigint>(8 - total).fill(0n);
  const all = [...(words.slice(0, head.length) as bigint[]), ...zeros, ...(words.slice(head.length) as bigint[])];
  return [...all, ...tail].reduce((acc, w) => (acc << 16n) | w, 0n);
}

function parseIp(s: string): { bits: 32 | 128; value: bigint } | undefined {
  if (s.includes(":")) {
    const value = parseIPv6(s);
    return value === undefined ? undefined : { bits: 128, value };
  }
  const value = parseIPv4(s);
  return value === undefined ? undefined : { bits: 32, value };
}

function mask(bits: number, prefix: number): bigint {
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
}

/** Parses "addr/len" (or a bare address when `allowBare`), normalising host bits away. */
function parseNet(s: string, allowBare: boolean): Net | undefined {
  const slash = s.indexOf("/");
  if (slash < 0 && !allowBare) return undefined;
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (ip === undefined) return undefined;
  const lenText = slash < 0 ? String(ip.bits) : s.slice(slash + 1);
  if (!/^(0|[1-9]\d*)$/.test(lenText) || Number(lenText) > ip.bits) return undefined;
  const prefix = Number(lenText);
  return { bits: ip.bits, start: ip.value & mask(ip.bits, prefix), prefix };
}

function netArg(name: string, args: readonly Value[], pos: number, allowBare: boolean): Net {
  const s = str(name, args, pos);
  const n = parseNet(s, allowBare);
  if (n === undefined) throw new BuiltinError(`${name}: invalid CIDR or IP ${JSON.stringify(s)}`);
  return n;
}

const lastOf = (n: Net) => n.start | ((1n << BigInt(n.bits - n.prefix)) - 1n);

function contains(outer: Net, inner: Net): boolean {
  return outer.bits === inner.bits && inner.start >= outer.start && lastOf(inner) <= lastOf(outer);
}

function intersects(a: Net, b: Net): boolean {
  return a.bits === b.bits && a.start <= lastOf(b) && b.start <= lastOf(a);
}

function formatIp(bits: number, v: bigint): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
  const words = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero words, the first one on ties.
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}

const formatNet = (n: Net) => `${formatIp(n.bits, n.start)}/${n.prefix}`;

/** Splits the inclusive range [lo, hi] into the fewest aligned CIDR blocks. */
function rangeToNets(bits: 32 | 128, lo: bigint, hi: bigint): Net[] {
  const out: Net[] = [];
  let cur = lo;
  while (cur <= hi) {
    let prefix = bits;
    while (prefix > 0) {
      const wider = 1n << BigInt(bits - prefix + 1); // block size one prefix bit shorter
      if (cur % wider !== 0n || cur + wider - 1n > hi) break;
      prefix--;
    }
    out.push({ bits, start: cur, prefix });
    cur += 1n << BigInt(bits - prefix);
  }
  return out;
}

function merge(args: readonly Value[]): Value {
  const nets = collection("net.cidr_merge", args, 0).map((v) => {
    if (typeof v !== "string") return typeFail("net.cidr_merge", 0, "array or set of strings", v);
    const n = parseNet(v, true);
    if (n === undefined) throw new BuiltinError(`net.cidr_merge: invalid CIDR or IP ${JSON.stringify(v)}`);
    return n;
  });
  const out = new RegoSet();
  for (const bits of [32, 128] as const) {
    const ranges = nets
      .filter((n) => n.bits === bits)
      .map((n) => [n.start, lastOf(n)] as [bigint, bigint])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: [bigint, bigint][] = [];
    for (const [lo, hi] of ranges) {
      const last = merged[merged.length - 1];
      if (last === undefined || lo > last[1] + 1n) merged.push([lo, hi]);
      else if (hi > last[1]) last[1] = hi;
    }
    for (const [lo, hi] of merged) for (const n of rangeToNets(bits, lo, hi)) out.add(formatNet(n));
  }
  return out;
}

function expand(args: readonly Value[]): Value {
  const n = netArg("net.cidr_expand", args, 0, false);
  const count = 1n << BigInt(n.bits - n.prefix);
  if (count > MAX_EXPAND) throw new BuiltinError(`net.cidr_expand: network larger than ${MAX_EXPAND} addresses`);
  const out = new RegoSet();
  for (let i = 0n; i < count; i++) out.add(formatIp(n.bits, n.start + i));
  return out;
}

export const NET: BuiltinTable = {
  "net.cidr_contains": {
    arity: 2,
    fn: (args) => contains(netArg("net.cidr_contains", args, 0, false), netArg("net.cidr_contains", args, 1, true)),
  },
  "net.cidr_intersects": {
    arity: 2,
    fn: (args) =>
      intersects(netArg("net.cidr_intersects", args, 0, false), netArg("net.cidr_intersects", args, 1, false)),
  },
  "net.cidr_is_valid": {
    arity: 1,
    fn: (args) => {
      const s = arg(args, 0);
      return typeof s === "string" && parseNet(s, false) !== undefined;
    },
  },
  "net.cidr_merge": { arity: 1, fn: merge },
  "net.cidr_expand": { arity: 1, fn: expand },
};
