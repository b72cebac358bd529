/**
 * Safety analysis: which variables each literal needs bound and which it binds, and a reordering
 * of body literals (as OPA does) so that every literal runs only once its inputs are bound.
 */
import { RegoCompileError } from "../errors.js";
import type { IR, IRBody, IRLit } from "./ir.js";

export type Slots = Set<number>;

function union(into: Slots, from: Iterable<number>): Slots {
  for (const x of from) into.add(x);
  return into;
}

/** Slots that must be bound before `t` can be evaluated to values. */
export function needsEv(t: IR, out: Slots = new Set()): Slots {
  switch (t.k) {
    case "local":
      out.add(t.slot);
      break;
    case "ref":
      needsEv(t.head, out);
      // A variable used as a key is an output: the ref iterates over the collection to bind it.
      for (const s of t.path) if (s.k !== "local") needsEv(s, out);
      break;
    case "array":
    case "set":
      for (const x of t.items) needsEv(x, out);
      break;
    case "object":
      for (const [k, v] of t.entries) needsEv(v, needsEv(k, out));
      break;
    case "compr":
      union(out, freeSlots(t));
      break;
    case "call":
      for (const a of t.args) needsEv(a, out);
      break;
    case "binop":
      needsEv(t.r, needsEv(t.l, out));
      break;
    case "in":
      if (t.key) needsEv(t.key, out);
      needsEv(t.coll, needsEv(t.value, out));
      break;
    default:
      break;
  }
  return out;
}

/** Slots that must be bound before `t` can be matched as a pattern (its plain variables bind). */
export function needsMatch(t: IR, out: Slots = new Set()): Slots {
  if (t.k === "local") return out;
  if (t.k === "array") {
    for (const x of t.items) needsMatch(x, out);
    return out;
  }
  if (t.k === "object") {
    for (const [k, v] of t.entries) needsMatch(v, needsEv(k, out));
    return out;
  }
  return needsEv(t, out);
}

/** Slots bound by evaluating or matching `t`. */
export function binds(t: IR, out: Slots = new Set()): Slots {
  switch (t.k) {
    case "local":
      out.add(t.slot);
      break;
    case "ref":
      binds(t.head, out);
      for (const s of t.path) binds(s, out);
      break;
    case "array":
    case "set":
      for (const x of t.items) binds(x, out);
      break;
    case "object":
      for (const [k, v] of t.entries) binds(v, binds(k, out));
      break;
    case "call":
      for (const a of t.args) binds(a, out);
      break;
    case "binop":
      binds(t.r, binds(t.l, out));
      break;
    case "in":
      if (t.key) binds(t.key, out);
      binds(t.coll, binds(t.value, out));
      break;
    default:
      break;
  }
  return out;
}

/** Slots a comprehension (or nested body) reads from enclosing scopes. */
export function freeSlots(t: Extract<IR, { k: "compr" }>): Slots {
  const out = bodyFree(t.body);
  needsEv(t.term, out);
  if (t.key) needsEv(t.key, out);
  for (const s of t.body.locals) out.delete(s);
  return out;
}

function bodyFree(body: IRBody): Slots {
  const out = new Set<number>();
  for (const l of body.lits) litNeeds(l, out, true);
  for (const s of body.locals) out.delete(s);
  return out;
}

function withNeeds(l: IRLit, out: Slots): void {
  if ("withs" in l) for (const w of l.withs) needsEv(w.value, out);
}

/** Everything a literal mentions (used for the free variables of nested bodies). */
function litNeeds(l: IRLit, out: Slots, all: boolean): void {
  withNeeds(l, out);
  switch (l.kind) {
    case "expr":
      if (all) {
        binds(l.l, out);
        if (l.r) binds(l.r, out);
      }
      return;
    case "somein":
      needsEv(l.coll, out);
      if (all) {
        if (l.key) binds(l.key, out);
        binds(l.value, out);
      }
      return;
    case "every": {
      needsEv(l.coll, out);
      union(out, bodyFree(l.body));
      return;
    }
    case "noop":
      return;
  }
}

/** Bound-after set if `l` can run with `bound`, else undefined. */
function tryLiteral(l: IRLit, bound: Slots): Slots | undefined {
  const need = new Set<number>();
  withNeeds(l, need);
  const after = new Set(bound);
  switch (l.kind) {
    case "noop":
      return after;
    case "somein":
      needsEv(l.coll, need);
      if (l.key) needsMatch(l.key, need);
      needsMatch(l.value, need);
      if (!subset(need, bound)) return undefined;
      if (l.key) binds(l.key, after);
      return binds(l.coll, binds(l.value, after));
    case "every":
      needsEv(l.coll, need);
      union(need, bodyFree(l.body));
      if (l.key) need.delete((l.key as { slot?: number }).slot ?? -1);
      return subset(need, bound) ? binds(l.coll, after) : undefined;
    case "expr":
      return tryExpr(l, bound, need, after);
  }
}

function tryExpr(l: Extract<IRLit, { kind: "expr" }>, bound: Slots, need: Slots, after: Slots): Slots | undefined {
  if (!subset(need, bound)) return undefined;
  if (!l.r) {
    if (!subset(needsEv(l.l), bound)) return undefined;
    return l.negated ? after : binds(l.l, after);
  }
  const r = l.r;
  const ok =
    (subset(needsEv(r), bound) && subset(needsMatch(l.l), binds(r, new Set(bound)))) ||
    (l.op === "=" && subset(needsEv(l.l), bound) && subset(needsMatch(r), binds(l.l, new Set(bound))));
  if (!ok) return undefined;
  return l.negated ? after : binds(r, binds(l.l, after));
}

function subset(a: Slots, b: Slots): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/**
 * Reorders `lits` so each literal's inputs are bound before it runs; keeps source order when it
 * already works. Throws "var x is unsafe" naming the first variable nothing can bind.
 */
export function orderBody(
  lits: readonly IRLit[],
  bound: Slots,
  names: readonly string[],
): { lits: IRLit[]; bound: Slots[] } {
  const pending = [...lits];
  const out: IRLit[] = [];
  const states: Slots[] = [];
  let cur = bound;
  while (pending.length > 0) {
    let picked = -1;
    let next: Slots | undefined;
    for (let i = 0; i < pending.length && picked < 0; i++) {
      next = tryLiteral(pending[i] as IRLit, cur);
      if (next) picked = i;
    }
    if (picked < 0 || !next) throw unsafe(pending, cur, names);
    states.push(cur);
    out.push(pending[picked] as IRLit);
    pending.splice(picked, 1);
    cur = next;
  }
  states.push(cur);
  return { lits: out, bound: states };
}

function unsafe(pending: readonly IRLit[], bound: Slots, names: readonly string[]): RegoCompileError {
  const first = pending[0] as IRLit;
  const need = new Set<number>();
  litNeeds(first, need, false);
  if (first.kind === "expr") {
    needsEv(first.l, need);
    if (first.r) needsEv(first.r, need);
  }
  const missing = [...need].filter((s) => !bound.has(s)).map((s) => names[s] ?? `$${s}`);
  const name = missing.find((n) => !n.startsWith("_$")) ?? missing[0] ?? "?";
  const shown = name.startsWith("_$") ? "_" : name;
  return RegoCompileError.at(first.loc, `var ${shown} is unsafe`);
}
