/** Syntax tree produced by the parser and consumed by the compiler. */
import type { Location } from "../errors.js";
import type { Scalar } from "../value.js";

export type BinOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%" | "|" | "&";

export type Term =
  | { readonly t: "scalar"; readonly v: Scalar; readonly loc: Location }
  | { readonly t: "var"; readonly name: string; readonly loc: Location }
  | { readonly t: "ref"; readonly head: Term; readonly path: readonly Term[]; readonly loc: Location }
  | { readonly t: "array"; readonly items: readonly Term[]; readonly loc: Location }
  | { readonly t: "set"; readonly items: readonly Term[]; readonly loc: Location }
  | { readonly t: "object"; readonly entries: readonly (readonly [Term, Term])[]; readonly loc: Location }
  | { readonly t: "arraycompr"; readonly term: Term; readonly body: Body; readonly loc: Location }
  | { readonly t: "setcompr"; readonly term: Term; readonly body: Body; readonly loc: Location }
  | { readonly t: "objcompr"; readonly key: Term; readonly value: Term; readonly body: Body; readonly loc: Location }
  | { readonly t: "call"; readonly fn: readonly string[]; readonly args: readonly Term[]; readonly loc: Location }
  | { readonly t: "binop"; readonly op: BinOp; readonly l: Term; readonly r: Term; readonly loc: Location }
  | {
      readonly t: "in";
      readonly key: Term | undefined;
      readonly value: Term;
      readonly coll: Term;
      readonly loc: Location;
    };

export interface WithMod {
  readonly target: Term;
  readonly value: Term;
  readonly loc: Location;
}

export type Literal =
  | {
      readonly kind: "expr";
      /** `=` and `:=` only appear here, at the top of a literal. */
      readonly op: "=" | ":=" | undefined;
      readonly l: Term;
      readonly r: Term | undefined;
      readonly negated: boolean;
      readonly withs: readonly WithMod[];
      readonly loc: Location;
    }
  | { readonly kind: "some"; readonly vars: readonly Term[]; readonly loc: Location }
  | {
      readonly kind: "somein";
      readonly key: Term | undefined;
      readonly value: Term;
      readonly coll: Term;
      readonly withs: readonly WithMod[];
      readonly loc: Location;
    }
  | {
      readonly kind: "every";
      readonly key: Term | undefined;
      readonly value: Term;
      readonly coll: Term;
      readonly body: Body;
      readonly withs: readonly WithMod[];
      readonly loc: Location;
    };

export type Body = readonly Literal[];

export type RuleKind = "complete" | "set" | "function";

export interface RuleBranch {
  /** Value for this branch (`else = v`); undefined means `true`. */
  readonly value: Term | undefined;
  readonly body: Body;
  readonly loc: Location;
}

export interface Rule {
  readonly kind: RuleKind;
  readonly isDefault: boolean;
  /** Head reference: first element is the rule name, the rest are dot or bracket terms. */
  readonly head: readonly Term[];
  /** Function parameters. */
  readonly args: readonly Term[] | undefined;
  /** Value (complete/function) or element (set) term; undefined means `true`. */
  readonly value: Term | undefined;
  /** First branch is the rule itself; the rest are its `else` branches. */
  readonly body: Body;
  readonly elses: readonly RuleBranch[];
  /** Value written with `:=` (affects the redeclaration check only). */
  readonly assign: boolean;
  readonly loc: Location;
}

export interface Import {
  readonly path: readonly string[];
  readonly alias: string | undefined;
  readonly loc: Location;
}

export interface Module {
  readonly file: string;
  readonly pkg: readonly string[];
  readonly imports: readonly Import[];
  readonly rules: readonly Rule[];
  /** `import rego.v1` present: v1 syntax rules apply. */
  readonly v1: boolean;
}
