/** Ad-hoc queries: compile a query body once, then enumerate its solutions as variable bindings. */
import { BUILTINS } from "../builtins/index.js";
import type { IR, IRLit } from "../compile/ir.js";
import { Resolver, Scope } from "../compile/resolve.js";
import { compileBody } from "../plan/body.js";
import type { Goal } from "../plan/types.js";
import { parseQuery } from "../syntax/parser.js";
import { setOwn, type Value } from "../value.js";
import type { PolicyRuntime } from "./policy.js";
import type { Ctx, Frame } from "./runtime.js";

/** Key under which a query's last expression value is reported when it binds no variables. */
export const EXPR_KEY = "__expr__";

export interface PreparedQuery {
  run(c: Ctx): Array<Record<string, Value>>;
}

export function prepareQuery(rt: PolicyRuntime, source: string): PreparedQuery {
  const body = parseQuery(source);
  const frame = { n: 0, names: [] as string[] };
  const scope = new Scope(frame, undefined);
  const resolver = new Resolver({
    pkg: [],
    imports: new Map(),
    ruleNames: new Set(),
    functions: rt.rules.functions,
    builtinArity: (n) => (n === "print" ? 0 : BUILTINS[n]?.arity),
    v1: false,
  });
  const ir = resolver.body(body, scope);
  const named = [...scope.vars].filter(([name]) => !name.startsWith("_"));
  // Hidden expression slots are declared after `named` is taken, so they never show as bindings.
  const { lits, slots: exprSlots } = captureExprs(ir.lits, scope);
  const cc = rt.rules.cc;
  cc.names = frame.names;
  const goal: Goal = compileBody({ lits, locals: scope.locals }, new Set(), cc, frame.names).goal;
  return {
    run(c) {
      const f: Frame = { s: new Array(frame.n), c };
      const out: Array<Record<string, Value>> = [];
      goal(f, () => {
        const rec: Record<string, Value> = {};
        for (const [name, slot] of named) {
          const v = f.s[slot];
          if (v !== undefined) setOwn(rec, name, v);
        }
        const vals = exprSlots.map((s) => f.s[s] ?? null);
        if (vals.length === 1) rec[EXPR_KEY] = vals[0] as Value;
        else if (vals.length > 1) rec[EXPR_KEY] = vals;
        out.push(rec);
        return false;
      });
      return out;
    },
  };
}

/**
 * Rewrites each plain expression `e` into `$e := e` plus a truth test, so its value can be reported
 * (OPA's "expressions" of a result). A query that is one lone expression reports `false` too.
 */
function captureExprs(lits: readonly IRLit[], scope: Scope): { lits: IRLit[]; slots: number[] } {
  const out: IRLit[] = [];
  const slots: number[] = [];
  for (const l of lits) {
    if (l.kind !== "expr" || l.op || l.negated) {
      out.push(l);
      continue;
    }
    const slot = scope.declare(`$expr${slots.length}`);
    slots.push(slot);
    const local: IR = { k: "local", slot, name: EXPR_KEY, loc: l.loc };
    out.push({ ...l, op: ":=", l: local, r: l.l });
    if (lits.length > 1)
      out.push({ kind: "expr", op: undefined, l: local, r: undefined, negated: false, withs: [], loc: l.loc });
  }
  return { lits: out, slots };
}
