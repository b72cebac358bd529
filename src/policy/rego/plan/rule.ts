/** Compiles one rule definition (head, body, else branches, function arguments) into a plan. */
import type { IR, IRBody } from "../compile/ir.js";
import { needsEv, type Slots } from "../compile/order.js";
import { type Resolver, Scope } from "../compile/resolve.js";
import { RegoCompileError } from "../errors.js";
import type { Rule, Term } from "../syntax/ast.js";
import { RegoObject, RegoSet, type Value } from "../value.js";
import { compileBody } from "./body.js";
import { compileMatch } from "./match.js";
import { compileTerm } from "./terms.js";
import type { CompileCtx, Goal, MatchPlan, TermPlan } from "./types.js";

export interface BranchPlan {
  readonly goal: Goal;
  readonly value: TermPlan;
}

export interface DefPlan {
  readonly nslots: number;
  readonly branches: readonly BranchPlan[];
  /** Object-style head keys (`p[k] := v`, `a.b[x].c := v`). */
  readonly keys: readonly TermPlan[];
  readonly args: readonly MatchPlan[] | undefined;
  /** Slots of the parameters when every one is a distinct plain variable (fast call path). */
  readonly argSlots: readonly number[] | undefined;
  /** The value is one constant: the first solution settles the definition. */
  readonly constValue: Value | undefined;
  /** Every head key is a constant too (with constValue: one solution says all there is). */
  readonly constKeys: boolean;
  readonly rule: Rule;
  /** IR of the main body, kept for rule indexing. */
  readonly body: IRBody;
}

const TRUE_TERM = (loc: Rule["loc"]): Term => ({ t: "scalar", v: true, loc });

/** Compiles `rule` (whose group keys are `keys`) with module-level name resolution `resolver`. */
export function compileDef(rule: Rule, keys: readonly Term[], resolver: Resolver, cc: CompileCtx): DefPlan {
  const frame = { n: 0, names: [] as string[] };
  const scope = new Scope(frame, undefined);
  cc.names = frame.names;
  const argIRs = (rule.args ?? []).map((a) => resolver.declarePattern(a, scope));
  const argSlots: Slots = new Set(scope.locals);
  const branches: BranchPlan[] = [];
  let mainBody: IRBody | undefined;
  let keyPlans: TermPlan[] = [];
  const all = [{ value: rule.value, body: rule.body }, ...rule.elses];
  for (const [i, br] of all.entries()) {
    const s = i === 0 ? scope : scope.child();
    const body = resolver.body(br.body, s);
    if (i === 0) mainBody = body;
    const valueIR = resolver.term(br.value ?? (i === 0 ? TRUE_TERM(rule.loc) : elseValue(rule)), s);
    const keyIRs = i === 0 ? keys.map((k) => resolver.term(k, s)) : [];
    const compiled = compileBody(body, argSlots, cc, frame.names);
    for (const t of [valueIR, ...keyIRs]) checkSafe(t, compiled.bound, frame.names);
    branches.push({ goal: compiled.goal, value: compileTerm(valueIR, compiled.bound, cc) });
    if (i === 0) keyPlans = keyIRs.map((k) => compileTerm(k, compiled.bound, cc));
  }
  const args = argIRs.map((a) => compileMatch(a, new Set(), cc));
  const v = rule.value;
  const constValue = rule.elses.length === 0 ? constOf(v ?? TRUE_TERM(rule.loc)) : undefined;
  return {
    nslots: frame.n,
    branches,
    keys: keyPlans,
    args: rule.args ? args : undefined,
    argSlots: plainSlots(argIRs),
    constValue,
    constKeys: keys.every((k) => k.t === "scalar"),
    rule,
    body: mainBody ?? { lits: [], locals: new Set() },
  };
}

/** An `else` without a value inherits `true` (OPA), like the rule itself. */
function elseValue(rule: Rule): Term {
  return TRUE_TERM(rule.loc);
}

function plainSlots(args: readonly IR[]): number[] | undefined {
  const slots = args.map((a) => (a.k === "local" ? a.slot : -1));
  return slots.every((s) => s >= 0) && new Set(slots).size === slots.length ? slots : undefined;
}

/** Scalars and literal collections (`{}`, `{"critical"}`) alike: the first solution settles the value. */
function constOf(t: Term): Value | undefined {
  return literalValue(t);
}

/** The value of a term made only of literals (no variables, refs or calls), else undefined. */
export function literalValue(t: Term): Value | undefined {
  switch (t.t) {
    case "scalar":
      return t.v;
    case "array":
    case "set": {
      const items = t.items.map(literalValue);
      if (items.some((x) => x === undefined)) return undefined;
      return t.t === "array" ? (items as Value[]) : RegoSet.from(items as Value[]);
    }
    case "object": {
      const o = new RegoObject();
      for (const [k, v] of t.entries) {
        const kv = literalValue(k);
        const vv = literalValue(v);
        if (kv === undefined || vv === undefined) return undefined;
        o.set(kv, vv);
      }
      return o;
    }
    default:
      return undefined;
  }
}

function checkSafe(t: IR, bound: Slots, names: readonly string[]): void {
  for (const s of needsEv(t)) {
    if (!bound.has(s)) {
      const name = names[s] ?? "?";
      throw RegoCompileError.at(t.loc, `var ${name.startsWith("_$") ? "_" : name} is unsafe`);
    }
  }
}
