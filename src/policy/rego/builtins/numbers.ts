/** Number builtins: rounding, ranges, to_number, bitwise operations, rand.intn. */
import { createHash } from "node:crypto";
import { charge, checkCollectionSize } from "../limits.js";
import type { Value } from "../value.js";
import { arg, int, num, str, typeFail } from "./args.js";
import { type Builtin, type BuiltinContext, BuiltinError, type BuiltinTable } from "./types.js";

function unary(name: string, f: (n: number) => number): Builtin {
  return { arity: 1, fn: (args) => f(num(name, args, 0)) };
}

/** Go's math.Round: halves round away from zero (JS Math.round rounds -9.5 to -9). */
function roundHalfAway(n: number): number {
  const r = Math.sign(n) * Math.round(Math.abs(n));
  return r === 0 ? 0 : r;
}

/** The range is sized, checked against the collection limit and charged before it is built. */
function range(name: string, start: number, stop: number, step: number, ctx: BuiltinContext): Value {
  if (!Number.isInteger(start) || !Number.isInteger(stop)) {
    throw new BuiltinError(`${name}: operands must be integers`);
  }
  if (!Number.isInteger(step) || step <= 0) throw new BuiltinError(`${name}: step must be a positive integer`);
  const size = Math.floor(Math.abs(stop - start) / step) + 1;
  checkCollectionSize(name, size);
  charge(ctx.budget, size);
  const out: number[] = [];
  if (start <= stop) for (let i = start; i <= stop; i += step) out.push(i);
  else for (let i = start; i >= stop; i -= step) out.push(i);
  return out;
}

const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** to_number accepts numbers, booleans, null and JSON-style numeric strings (OPA's rules). */
function toNumber(args: readonly Value[]): Value {
  const v = arg(args, 0);
  if (typeof v === "number") return v;
  if (v === null || v === false) return 0;
  if (v === true) return 1;
  if (typeof v !== "string") return typeFail("to_number", 0, "null, boolean, number or string", v);
  if (!NUMERIC_TEXT.test(v)) throw new BuiltinError(`to_number: invalid syntax ${JSON.stringify(v)}`);
  return Number(v);
}

/** Bitwise operations on 64-bit-wide integers via BigInt (JS `&` would truncate to 32 bits). */
function bits(name: string, op: (a: bigint, b: bigint) => bigint): Builtin {
  return {
    arity: 2,
    fn: (args) => Number(BigInt.asIntN(64, op(BigInt(int(name, args, 0)), BigInt(int(name, args, 1))))),
  };
}

function shift(name: string, op: (a: bigint, b: bigint) => bigint): Builtin {
  return {
    arity: 2,
    fn: (args) => {
      const a = int(name, args, 0);
      const b = int(name, args, 1);
      if (b < 0) throw new BuiltinError(`${name}: shift count must not be negative`);
      return Number(op(BigInt(a), BigInt(Math.min(b, 1024))));
    },
  };
}

/**
 * `rand.intn(str, n)`: OPA caches one random draw per (str, n) and evaluation. SARK's policies
 * must be deterministic, so the draw is a hash of (str, n): stable across evaluations too.
 */
function randIntn(args: readonly Value[]): Value | undefined {
  const seed = str("rand.intn", args, 0);
  const n = num("rand.intn", args, 1);
  if (!Number.isInteger(n)) return undefined;
  if (n === 0) return 0;
  const digest = createHash("sha256").update(`${seed}\u0000${n}`).digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(Math.abs(n)));
}

export const NUMBERS: BuiltinTable = {
  abs: unary("abs", Math.abs),
  round: unary("round", roundHalfAway),
  ceil: unary("ceil", (n) => Math.ceil(n) || 0),
  floor: unary("floor", Math.floor),
  "numbers.range": {
    arity: 2,
    fn: (args, ctx) => range("numbers.range", num("numbers.range", args, 0), num("numbers.range", args, 1), 1, ctx),
  },
  "numbers.range_step": {
    arity: 3,
    fn: (args, ctx) =>
      range(
        "numbers.range_step",
        num("numbers.range_step", args, 0),
        num("numbers.range_step", args, 1),
        num("numbers.range_step", args, 2),
        ctx,
      ),
  },
  to_number: { arity: 1, fn: toNumber },
  "bits.and": bits("bits.and", (a, b) => a & b),
  "bits.or": bits("bits.or", (a, b) => a | b),
  "bits.xor": bits("bits.xor", (a, b) => a ^ b),
  "bits.negate": { arity: 1, fn: (args) => Number(~BigInt(int("bits.negate", args, 0))) },
  "bits.lsh": shift("bits.lsh", (a, b) => a << b),
  "bits.rsh": shift("bits.rsh", (a, b) => a >> b),
  "rand.intn": { arity: 2, fn: randIntn },
};
