/**
 * Rule indexing. Large rule sets are usually many definitions that each begin with tests of input
 * fields against constants: equality (`input.user.team == "team-42"`) or membership in a constant
 * set (`read_actions[input.action]`, `input.action in {"a", "b"}`). We build a trie over those tests
 * so an evaluation only visits the definitions whose constants match the input; the bodies still
 * re-check every test, so the index only has to be conservative, never exact.
 */

import type { IR, IRLit } from "../compile/ir.js";
import { type Ctx, child } from "../eval/runtime.js";
import { RegoSet, type Scalar, type Value } from "../value.js";
import type { DefPlan } from "./rule.js";

const MIN_DEFS = 8;

/** The input value at `path` must be one of `values`. */
type Constraint = { readonly path: readonly string[]; readonly values: readonly Scalar[] };
type Lookup = (c: Ctx) => readonly number[];
/** The value of a rule that is one constant (`s := {"a", "b"}`), by its data path. */
export type ConstantAt = (path: readonly string[]) => Value | undefined;

interface Trie {
  readonly path: readonly string[];
  /** Per input value: a sub-trie, or the candidates (this node's `rest` included, in source order). */
  readonly buckets: Map<Scalar, Trie | readonly number[]>;
  readonly rest: readonly number[];
}

/** Returns a candidate lookup for the group's definitions, or undefined when indexing cannot help. */
export function buildIndex(defs: readonly DefPlan[], constantAt: ConstantAt): Lookup | undefined {
  if (defs.length < MIN_DEFS || defs.some((d) => d.branches.length > 1)) return undefined;
  const constraints = defs.map((d) => constraintsOf(d.body.lits, constantAt));
  const trie = buildTrie(
    defs.map((_, i) => i),
    constraints,
    new Set(),
  );
  if (!trie || Array.isArray(trie)) return undefined;
  const root = trie as Trie;
  const all = defs.map((_, i) => i);
  // Membership tests read constant rules, which `with data.x as ...` may replace: no index then.
  return (c) => (c.groupOverrides === null ? candidates(root, c.input) : all);
}

/** Candidate definitions, in source order (rule authors order them by how often they hold). */
function candidates(t: Trie, input: unknown): readonly number[] {
  let x: unknown = input;
  for (const key of t.path) {
    x = child(x, key);
    if (x === undefined) return t.rest;
  }
  if (typeof x === "object" && x !== null) return t.rest;
  const hit = t.buckets.get(x as Scalar);
  if (hit === undefined) return t.rest;
  if (Array.isArray(hit)) return hit;
  const deeper = candidates(hit as Trie, input);
  return t.rest.length === 0 ? deeper : merge(t.rest, deeper);
}

function merge(a: readonly number[], b: readonly number[]): number[] {
  return [...a, ...b].sort((x, y) => x - y);
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
    for (const value of c.values) {
      const list = buckets.get(value) ?? [];
      list.push(i);
      buckets.set(value, list);
    }
  }
  const nextUsed = new Set(used).add(best);
  const sub = new Map<Scalar, Trie | readonly number[]>();
  for (const [v, list] of buckets) {
    const t = buildTrie(list, cons, nextUsed);
    sub.set(v, Array.isArray(t) ? merge(rest, t) : t);
  }
  return { path, buckets: sub, rest };
}

/** Equality and membership tests of `input.a.b` against constants among the body's top-level literals. */
function constraintsOf(lits: readonly IRLit[], constantAt: ConstantAt): Map<string, Constraint> {
  const out = new Map<string, Constraint>();
  for (const l of lits) {
    if (l.kind !== "expr" || l.negated || l.withs.length > 0) continue;
    let c: Constraint | undefined;
    if (l.op === "=" && l.r) c = equality(l.l, l.r) ?? equality(l.r, l.l);
    else if (!l.op && l.l.k === "binop" && l.l.op === "==") c = equality(l.l.l, l.l.r) ?? equality(l.l.r, l.l.l);
    else if (!l.op) c = membership(l.l, constantAt);
    if (c) out.set(JSON.stringify(c.path), c);
  }
  return out;
}

function equality(ref: IR, value: IR): Constraint | undefined {
  if (value.k !== "const" || (typeof value.v === "object" && value.v !== null)) return undefined;
  const path = inputPath(ref);
  return path ? { path, values: [value.v as Scalar] } : undefined;
}

/** `s[input.x]` with `s` a constant set rule, or `input.x in <constant set or array>`. */
function membership(t: IR, constantAt: ConstantAt): Constraint | undefined {
  let ref: IR | undefined;
  let coll: Value | undefined;
  if (t.k === "in" && !t.key) {
    ref = t.value;
    coll = t.coll.k === "const" ? t.coll.v : t.coll.k === "ref" ? constantRef(t.coll, constantAt) : undefined;
  } else if (t.k === "ref" && t.head.k === "root" && t.head.root === "data" && t.path.length > 1) {
    ref = t.path[t.path.length - 1];
    const set = constantRef({ ...t, path: t.path.slice(0, -1) }, constantAt);
    coll = set instanceof RegoSet ? set : undefined;
  }
  const path = ref ? inputPath(ref) : undefined;
  if (!path || coll === undefined) return undefined;
  const values = coll instanceof RegoSet ? [...coll] : Array.isArray(coll) ? coll : undefined;
  if (!values || values.some((v) => typeof v === "object" && v !== null)) return undefined;
  return { path, values: values as Scalar[] };
}

/** The constant a `data.a.b` ref (constant path) denotes, if it names a constant rule. */
function constantRef(t: Extract<IR, { k: "ref" }>, constantAt: ConstantAt): Value | undefined {
  if (t.head.k !== "root" || t.head.root !== "data") return undefined;
  const path: string[] = [];
  for (const s of t.path) {
    if (s.k !== "const" || typeof s.v !== "string") return undefined;
    path.push(s.v);
  }
  return constantAt(path);
}

/** `input.a.b` with a constant path: the path. */
function inputPath(ref: IR): string[] | undefined {
  if (ref.k !== "ref" || ref.head.k !== "root" || ref.head.root !== "input") return undefined;
  const path: string[] = [];
  for (const s of ref.path) {
    if (s.k !== "const" || typeof s.v !== "string") return undefined;
    path.push(s.v);
  }
  return path;
}
