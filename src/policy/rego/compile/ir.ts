/** Resolved intermediate form: names bound to frame slots or global roots, calls bound to targets. */

import type { Location } from "../errors.js";
import type { BinOp } from "../syntax/ast.js";
import type { Value } from "../value.js";

export type IR =
  | { readonly k: "const"; readonly v: Value; readonly loc: Location }
  | { readonly k: "local"; readonly slot: number; readonly name: string; readonly loc: Location }
  | { readonly k: "root"; readonly root: "input" | "data"; readonly loc: Location }
  | { readonly k: "ref"; readonly head: IR; readonly path: readonly IR[]; readonly loc: Location }
  | { readonly k: "array"; readonly items: readonly IR[]; readonly loc: Location }
  | { readonly k: "set"; readonly items: readonly IR[]; readonly loc: Location }
  | { readonly k: "object"; readonly entries: readonly (readonly [IR, IR])[]; readonly loc: Location }
  | {
      readonly k: "compr";
      readonly kind: "array" | "set" | "object";
      readonly key: IR | undefined;
      readonly term: IR;
      readonly body: IRBody;
      readonly loc: Location;
    }
  | { readonly k: "call"; readonly target: CallTarget; readonly args: readonly IR[]; readonly loc: Location }
  | { readonly k: "binop"; readonly op: BinOp; readonly l: IR; readonly r: IR; readonly loc: Location }
  | { readonly k: "in"; readonly key: IR | undefined; readonly value: IR; readonly coll: IR; readonly loc: Location };

/** A call resolves either to a user function (by data path) or a builtin (by OPA name). */
export type CallTarget =
  | { readonly kind: "function"; readonly path: readonly string[]; readonly name: string }
  | { readonly kind: "builtin"; readonly name: string }
  | { readonly kind: "print" }
  | { readonly kind: "member"; readonly arity: 2 | 3 };

export interface IRWith {
  /** Target path from its root, e.g. ["input", "user"] or ["data", "x", "f"] or ["count"]. */
  readonly target: readonly string[];
  /** For function/builtin targets: the canonical call name (`data.x.f` or `count`). */
  readonly fnName: string | undefined;
  /** `with f as g` where g names a function or builtin: calls are redirected to it. */
  readonly replacement: CallTarget | undefined;
  readonly value: IR;
  readonly loc: Location;
}

export type IRLit =
  | {
      readonly kind: "expr";
      readonly op: "=" | ":=" | undefined;
      readonly l: IR;
      readonly r: IR | undefined;
      readonly negated: boolean;
      readonly withs: readonly IRWith[];
      readonly loc: Location;
    }
  | { readonly kind: "noop"; readonly loc: Location }
  | {
      readonly kind: "somein";
      readonly key: IR | undefined;
      readonly value: IR;
      readonly coll: IR;
      readonly withs: readonly IRWith[];
      readonly loc: Location;
    }
  | {
      readonly kind: "every";
      readonly key: IR | undefined;
      readonly value: IR;
      readonly coll: IR;
      readonly body: IRBody;
      readonly withs: readonly IRWith[];
      readonly loc: Location;
    };

export interface IRBody {
  readonly lits: readonly IRLit[];
  /** Slots declared in this body's own scope (not in enclosing ones). */
  readonly locals: ReadonlySet<number>;
}
