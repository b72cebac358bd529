import type { Budget } from "../limits.js";
import type { Value } from "../value.js";

/** What a builtin may see of the evaluation it runs in. */
export interface BuiltinContext {
  /** `time.now_ns()`: read once per evaluation so every call in it agrees. */
  readonly nowNs: number;
  /**
   * The evaluation's step budget: builtins whose work is not bounded by their inputs' sizes charge
   * it as they go (limits.ts `charge`). Absent outside an evaluation (unit tests).
   */
  readonly budget?: Budget;
}

/**
 * A builtin's failure (bad argument type, malformed input). The evaluator turns it into an
 * evaluation error that names the builtin and the call site.
 */
export class BuiltinError extends Error {
  override readonly name = "BuiltinError";
}

export interface Builtin {
  /** Number of arguments (a call with one more binds the result to that extra argument, as in OPA). */
  readonly arity: number;
  /**
   * Returns the result, or `undefined` when the call is undefined (e.g. `object.get` never is,
   * but `to_number("x")` errors and `regex.find_n` with no match is an empty array).
   */
  readonly fn: (args: readonly Value[], ctx: BuiltinContext) => Value | undefined;
}

export type BuiltinTable = Readonly<Record<string, Builtin>>;
