/**
 * Rule indexing. Large rule sets are usually many definitions that each begin with equality tests
 * of input fields against constants (`input.user.team == "team-42"`). We build a trie over those
 * tests so an evaluation only visits the definitions whose constants match the input; the bodies
 * still re-check every test, so the index only has to be conservative, never exact.
 */
import type { IR, IRLit } from "./ir.js";
import type { DefPlan } from "./rule-plan.js";
import { type Ctx, child } from "./runtime.js";
import type { Scalar } from "./value.js";

const MIN_DEFS = 8;

type Constraint = { readonly path: readonly string[]; readonly value: Scalar };
type Lookup = (c: Ctx) => readonly number[];

interface Trie {
  readonly path: readonly string[];
  readonly buckets: Map<Scalar, Trie | readonly number[]>;
  readonly rest: readonly number[];
}

/** Returns a candidate lookup for the group's definitions, or undefined when indexing cannot help. */
export function buildIndex(defs: readonly DefPlan[]): Lookup | undefined {
  if (defs.length < MIN_DEFS || defs.some((d) => d.branches.length > 1)) return undefined;
  const constraints = defs.map((d) => constraintsOf(d.body.lits));
  const trie = buildTrie(
    defs.map((_, i) => i),
    constraints,
    new Set(),
  );
  if (!trie || Array.isArray(trie)) return undefined;
  const root = trie as Trie;
  return (c) => {
    const out: number[] = [];
    collect(root, c.input, out);
    // Order does not matter: definitions of one group are alternatives combined without precedence.
    return out;
  };
}

function collect(t: Trie, input: unknown, out: number[]): void {
  for (const i of t.rest) out.push(i);
  let x: unknown = input;
  for (const key of t.path) {
    x = child(x, key);
    if (x === undefined) return;
  }
  if (typeof x === "object" && x !== null) return;
  const hit = t.buckets.get(x as Scalar);
  if (hit === undefined) return;
  if (Array.isArray(hit)) for (const i of hit) out.push(i);
  else collect(hit as Trie, input, out);
}

function buildTrie(
  ids: readonly number[],
  cons: readonly Map<string, Constraint>[],
  used: Set<string>,
): Trie | readonly number[] {
  if (ids.length < MIN_DEFS) return ids;
  const counts = new Map<string, number>();
  for (const i of ids) for (const k of cons[i]?.keys() ?? []) if (!used.has(k)) counts.set(k, (counts.get(k) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 1;
  for (const [k, n] of counts) if (n > bestCount) [best, bestCount] = [k, n];
  if (best === undefined) return ids;
  const buckets = new Map<Scalar, number[]>();
  const rest: number[] = [];
  let path: readonly string[] = [];
  for (const i of ids) {
    const c = cons[i]?.get(best);
    if (!c) {
      rest.push(i);
      continue;
    }
    path = c.path;
    const list = buckets.get(c.value) ?? [];
    list.push(i);
    buckets.set(c.value, list);
  }
  const nextUsed = new Set(used).add(best);
  const sub = new Map<Scalar, Trie | readonly number[]>();
  for (const [v, list] of buckets) sub.set(v, buildTrie(list, cons, nextUsed));
  return { path, buckets: sub, rest };
}

/** Equality tests `input.a.b == const` among the body's top-level literals. */
function constraintsOf(lits: readonly IRLit[]): Map<string, Constraint> {
  const out = new Map<string, Constraint>();
  for (const l of lits) {
    if (l.kind !== "expr" || l.negated || l.withs.length > 0) continue;
    let pair: [IR, IR] | undefined;
    if (l.op === "=" && l.r) pair = [l.l, l.r];
    else if (!l.op && l.l.k === "binop" && l.l.op === "==") pair = [l.l.l, l.l.r];
    if (!pair) continue;
    const c = constraint(pair[0], pair[1]) ?? constraint(pair[1], pair[0]);
    if (c) out.set(JSON.stringify(c.path), c);
  }
  return out;
}

function constraint(ref: IR, value: IR): Constraint | undefined {
  if (value.k !== "const" || (typeof value.v === "object" && value.v !== null)) return undefined;
  if (ref.k !== "ref" || ref.head.k !== "root" || ref.head.root !== "input") return undefined;
  const path: string[] = [];
  for (const s of ref.path) {
    if (s.k !== "const" || typeof s.v !== "string") return undefined;
    path.push(s.v);
  }
  return { path, value: value.v as Scalar };
}
