/** `uuid.rfc4122` (version 4 layout) and `uuid.parse` (fields of versions 1-8, as OPA reports them). */
import { createHash } from "node:crypto";
import { RegoObject, type Value } from "../value.js";
import { str } from "./args.js";
import type { BuiltinContext, BuiltinTable } from "./types.js";

/** 100-ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch. */
const GREGORIAN_OFFSET = 0x01b21dd213814000n;

/**
 * OPA draws a random UUID per key and evaluation. SARK keeps evaluation deterministic: the bytes
 * are a hash of the evaluation clock and the key, so equal keys agree within an evaluation and
 * differ between evaluations taken at different instants.
 */
function rfc4122(key: string, ctx: BuiltinContext): string {
  const b = createHash("sha256").update(`${ctx.nowNs}\u0000${key}`).digest().subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function uuidBytes(s: string): Buffer | undefined {
  let t = s.toLowerCase();
  if (t.startsWith("urn:uuid:")) t = t.slice(9);
  if (t.startsWith("{") && t.endsWith("}")) t = t.slice(1, -1);
  const ok = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(t) || /^[0-9a-f]{32}$/.test(t);
  return ok ? Buffer.from(t.replaceAll("-", ""), "hex") : undefined;
}

function variantName(byte8: number): string {
  if ((byte8 & 0x80) === 0) return "Reserved, NCS backward compatibility";
  if ((byte8 & 0xc0) === 0x80) return "RFC4122";
  if ((byte8 & 0xe0) === 0xc0) return "Reserved, Microsoft Corporation backward compatibility";
  return "Reserved, future definition";
}

/** Unix nanoseconds of a time-based UUID (v1/v2 and v6 share the 60-bit Gregorian clock). */
function gregorianNs(ticks: bigint): number {
  return Number((ticks - GREGORIAN_OFFSET) * 100n);
}

function timeFields(b: Buffer, version: number): [string, Value][] {
  if (version === 7) return [["time", Number(b.readUIntBE(0, 6)) * 1_000_000]];
  if (version === 6) {
    const ticks =
      (BigInt(b.readUInt32BE(0)) << 28n) | (BigInt(b.readUInt16BE(4)) << 12n) | BigInt(b.readUInt16BE(6) & 0xfff);
    return [["time", gregorianNs(ticks)]];
  }
  if (version !== 1 && version !== 2) return [];
  const ticks =
    BigInt(b.readUInt32BE(0)) | (BigInt(b.readUInt16BE(4)) << 32n) | (BigInt(b.readUInt16BE(6) & 0xfff) << 48n);
  const node = b.subarray(10, 16);
  const first = node[0] ?? 0;
  const fields: [string, Value][] = [
    ["time", gregorianNs(ticks)],
    ["clocksequence", (((b[8] ?? 0) & 0x3f) << 8) | (b[9] ?? 0)],
    ["nodeid", [...node].map((x) => x.toString(16).padStart(2, "0")).join("-")],
    ["macvariables", `${first & 0x02 ? "local" : "global"}:${first & 0x01 ? "multicast" : "unicast"}`],
  ];
  if (version === 2) {
    const domains = ["Person", "Group", "Org"];
    fields.push(["domain", domains[b[9] ?? 0] ?? "Unknown"], ["id", b.readUInt32BE(0)]);
  }
  return fields;
}

function parse(s: string): Value | undefined {
  const b = uuidBytes(s);
  if (b === undefined) return undefined;
  const version = (b[6] ?? 0) >> 4;
  return RegoObject.fromEntries([["version", version], ["variant", variantName(b[8] ?? 0)], ...timeFields(b, version)]);
}

export const UUID: BuiltinTable = {
  "uuid.rfc4122": { arity: 1, fn: (args, ctx) => rfc4122(str("uuid.rfc4122", args, 0), ctx) },
  "uuid.parse": { arity: 1, fn: (args) => parse(str("uuid.parse", args, 0)) },
};
