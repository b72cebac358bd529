/** Ad-hoc queries: compile a query body once, then enumerate its solutions as variable bindings. */
import { BUILTINS } from "./builtins/index.js";
import type { IR, IRLit } from "./ir.js";
import { compileBody } from "./plan-body.js";
import type { Goal } from "./plan-types.js";
import type { PolicyRuntime } from "./policy.js";
import { Resolver, Scope } from "./resolve.js";
import { parseQuery } from "./parser.js";
import type { Ctx, Frame } from "./runtime.js";
import type { Value } from "./value.js";

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
  const exprSlot = scope.declare(EXPR_KEY);
  const lits = captureLastExpr(ir.lits, exprSlot, ir.lits.length > 1);
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
          if (v !== undefined) rec[name] = v;
        }
        const e = f.s[exprSlot];
        if (e !== undefined) rec[EXPR_KEY] = e;
        out.push(rec);
        return false;
      });
      return out;
    },
  };
}

/**
 * Rewrites a final plain expression `e` into `__expr__ := e` (plus a truth test when the query has
 * several expressions), so its value can be reported. A lone expression reports `false` too.
 */
function captureLastExpr(lits: readonly IRLit[], slot: number, test: boolean): IRLit[] {
  const last = lits[lits.length - 1];
  if (!last || last.kind !== "expr" || last.op || last.negated) return [...lits];
  const loc = last.loc;
  const local: IR = { k: "local", slot, name: EXPR_KEY, loc };
  const assign: IRLit = { ...last, op: ":=", l: local, r: last.l };
  const check: IRLit = { kind: "expr", op: undefined, l: local, r: undefined, negated: false, withs: [], loc };
  return [...lits.slice(0, -1), assign, ...(test ? [check] : [])];
}
