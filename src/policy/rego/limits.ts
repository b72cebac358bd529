/**
 * The evaluation budget and the size limits on what builtins may build.
 *
 * A step is the unit of the budget: one element visited by iteration, one user function call
 * (eval/runtime.ts `tick`), and, through `charge`, the work a builtin does: one step per element it
 * produces and one per `BYTES_PER_STEP` characters it builds. A single builtin call therefore
 * cannot do unbounded work for the price of one step, and the deadline is checked whenever the
 * budget crosses a multiple of 1,024 steps, including in the middle of a long builtin.
 *
 * Exceeding the budget, the deadline or a size limit is a `RegoLimitError`: an evaluation error
 * that strict and non-strict mode alike propagate, so the caller fails closed (denies).
 */
import { RegoLimitError } from "./errors.js";
import { RegoObject, RegoSet, type Value } from "./value.js";

export { RegoLimitError } from "./errors.js";
export { MAX_VALUE_DEPTH } from "./value.js";

/** Step budget and deadline of one evaluation (shared by the contexts `with` derives). */
export interface Budget {
  steps: number;
  maxSteps: number;
  /** Epoch milliseconds; 0 means no deadline. */
  deadline: number;
}

/** Largest string (in UTF-16 code units) a builtin may build: 4 MiB of text. */
export const MAX_STRING_LENGTH = 4 * 1024 * 1024;
/** Most elements an array, set or object built by a builtin may hold. */
export const MAX_COLLECTION_SIZE = 1_000_000;
/** Characters of built text that cost one step. */
export const BYTES_PER_STEP = 16;

/** The deadline is read every this many steps (a power of two: `tick` masks with it). */
export const DEADLINE_EVERY = 1024;

/** The deadline check shared by `tick` and `charge`. */
export function checkDeadline(b: Budget): void {
  if (b.deadline !== 0 && Date.now() > b.deadline) throw new RegoLimitError("evaluation exceeded its deadline");
}

/**
 * Charges `units` steps of work to `budget` (a no-op without one: builtins called outside an
 * evaluation, as in unit tests). Throws when the budget is exhausted; checks the deadline when the
 * count crosses a multiple of 1,024 steps.
 */
export function charge(budget: Budget | undefined, units: number): void {
  if (budget === undefined || units <= 0) return;
  const before = budget.steps;
  const after = before + units;
  budget.steps = after;
  if (after > budget.maxSteps) {
    throw new RegoLimitError(`evaluation exceeded the step budget (${budget.maxSteps} steps)`);
  }
  if (Math.floor(after / DEADLINE_EVERY) !== Math.floor(before / DEADLINE_EVERY)) checkDeadline(budget);
}

/** Steps that building `length` characters costs. */
export function textCost(length: number): number {
  return Math.ceil(length / BYTES_PER_STEP);
}

/** Refuses, before building it, a string longer than `MAX_STRING_LENGTH`. */
export function checkStringLength(name: string, length: number): void {
  if (length > MAX_STRING_LENGTH) {
    throw new RegoLimitError(`${name}: result would be ${length} characters, over the limit of ${MAX_STRING_LENGTH}`);
  }
}

/** Refuses, before building it, a collection larger than `MAX_COLLECTION_SIZE`. */
export function checkCollectionSize(name: string, size: number): void {
  if (size > MAX_COLLECTION_SIZE) {
    throw new RegoLimitError(`${name}: result would have ${size} elements, over the limit of ${MAX_COLLECTION_SIZE}`);
  }
}

/**
 * Charges what a builtin returned and enforces the size limits on it. Builtins whose output can
 * outgrow their inputs check before building (sprintf, replace, numbers.range, concat, walk);
 * this catches every other builtin after the fact, at O(1) cost per call.
 */
export function chargeResult(name: string, budget: Budget | undefined, v: Value | undefined): void {
  if (typeof v === "string") {
    if (v.length > BYTES_PER_STEP) {
      checkStringLength(name, v.length);
      charge(budget, textCost(v.length));
    }
  } else if (Array.isArray(v)) {
    checkCollectionSize(name, v.length);
    charge(budget, v.length);
  } else if (v instanceof RegoObject || v instanceof RegoSet) {
    checkCollectionSize(name, v.size);
    charge(budget, v.size);
  }
}
