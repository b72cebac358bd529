/**
 * Argument checks shared by the builtin families. Each throws a `BuiltinError` naming the builtin,
 * the argument position and the type it got, so a policy author sees which call went wrong.
 */
import { RegoObject, RegoSet, typeName, type Value } from "../value.js";
import { BuiltinError } from "./types.js";

/**
 * A call with an argument of the wrong type. OPA's type checker rejects these before evaluation
 * when the argument's type is known then, so the evaluator reports them even in non-strict mode
 * when that argument is a constant (plan/calls.ts `builtinFailure`); otherwise, like other
 * `BuiltinError`s (malformed input such as an unparsable timestamp), non-strict mode turns them
 * into an undefined result, as OPA does at run time.
 */
export class BuiltinTypeError extends BuiltinError {
  constructor(
    message: string,
    /** Position (from 0) of the offending argument. */
    readonly operand: number,
  ) {
    super(message);
  }
}

export function typeFail(name: string, pos: number, want: string, got: Value | undefined): never {
  const gotName = got === undefined ? "undefined" : typeName(got);
  throw new BuiltinTypeError(`${name}: operand ${pos + 1} must be ${want} but got ${gotName}`, pos);
}

export function arg(args: readonly Value[], pos: number): Value {
  const v = args[pos];
  if (v === undefined) throw new BuiltinError(`missing operand ${pos + 1}`);
  return v;
}

export function num(name: string, args: readonly Value[], pos: number): number {
  const v = args[pos];
  if (typeof v !== "number") typeFail(name, pos, "number", v);
  return v;
}

/** A number that must be a whole value (OPA rejects e.g. `bits.and(1.5, 1)`). */
export function int(name: string, args: readonly Value[], pos: number): number {
  const v = num(name, args, pos);
  if (!Number.isInteger(v)) throw new BuiltinError(`${name}: operand ${pos + 1} must be an integer but got ${v}`);
  return v;
}

export function str(name: string, args: readonly Value[], pos: number): string {
  const v = args[pos];
  if (typeof v !== "string") typeFail(name, pos, "string", v);
  return v;
}

export function bool(name: string, args: readonly Value[], pos: number): boolean {
  const v = args[pos];
  if (typeof v !== "boolean") typeFail(name, pos, "boolean", v);
  return v;
}

export function arr(name: string, args: readonly Value[], pos: number): readonly Value[] {
  const v = args[pos];
  if (!Array.isArray(v)) typeFail(name, pos, "array", v);
  return v as readonly Value[];
}

export function set(name: string, args: readonly Value[], pos: number): RegoSet {
  const v = args[pos];
  if (!(v instanceof RegoSet)) typeFail(name, pos, "set", v);
  return v;
}

export function obj(name: string, args: readonly Value[], pos: number): RegoObject {
  const v = args[pos];
  if (!(v instanceof RegoObject)) typeFail(name, pos, "object", v);
  return v;
}

/** An array or a set, as a list of elements (sets in Rego order, so results are deterministic). */
export function collection(name: string, args: readonly Value[], pos: number): readonly Value[] {
  const v = args[pos];
  if (Array.isArray(v)) return v as readonly Value[];
  if (v instanceof RegoSet) return v.sorted();
  return typeFail(name, pos, "array or set", v);
}

/** An array or set of strings (e.g. `strings.any_prefix_match`, `concat`). */
export function strings(name: string, args: readonly Value[], pos: number, allowString = false): string[] {
  const v = args[pos];
  if (allowString && typeof v === "string") return [v];
  const items = collection(name, args, pos);
  return items.map((x) => {
    if (typeof x !== "string") throw new BuiltinTypeError(`${name}: operand ${pos + 1} must contain only strings`, pos);
    return x;
  });
}
