/** `walk`, `graph.reachable` and `graph.reachable_paths`. */
import { charge, checkCollectionSize, MAX_VALUE_DEPTH, RegoLimitError } from "../limits.js";
import { RegoObject, RegoSet, type Value } from "../value.js";
import { arg, obj, typeFail } from "./args.js";
import type { BuiltinContext, BuiltinTable } from "./types.js";

function children(v: Value): [Value, Value][] {
  if (Array.isArray(v)) return (v as readonly Value[]).map((x, i) => [i, x]);
  if (v instanceof RegoObject) return v.sortedEntries();
  if (v instanceof RegoSet) return v.sorted().map((x) => [x, x]);
  return [];
}

/**
 * Pre-order [path, value] pairs of `root`, the root itself first with path []. Each pair is
 * charged as it is produced (its path costs its length), so a walk over a huge document runs out
 * of budget, or into the collection limit, instead of building everything first.
 */
function walkPairs(root: Value, ctx: BuiltinContext): Value[] {
  const out: Value[] = [];
  const visit = (path: Value[], v: Value) => {
    if (path.length > MAX_VALUE_DEPTH) throw new RegoLimitError(`walk: value nested deeper than ${MAX_VALUE_DEPTH}`);
    checkCollectionSize("walk", out.length + 1);
    charge(ctx.budget, 1 + path.length);
    out.push([path, v]);
    for (const [k, x] of children(v)) visit([...path, k], x);
  };
  visit([], root);
  return out;
}

function vertices(name: string, v: Value | undefined, pos: number): readonly Value[] {
  if (Array.isArray(v)) return v as readonly Value[];
  if (v instanceof RegoSet) return v.sorted();
  if (v === null || v === undefined) return [];
  return typeFail(name, pos, "array or set", v);
}

/** OPA's reachability: a start node counts only if it is a vertex (key) of the graph. */
function reachable(args: readonly Value[]): Value {
  const graph = obj("graph.reachable", args, 0);
  const queue = [...vertices("graph.reachable", arg(args, 1), 1)];
  const reached = new RegoSet();
  while (queue.length > 0) {
    const node = queue.shift() as Value;
    const edges = graph.get(node);
    if (edges === undefined || reached.has(node)) continue;
    reached.add(node);
    for (const n of vertices("graph.reachable", edges, 0)) if (!reached.has(n)) queue.push(n);
  }
  return reached;
}

/**
 * OPA's path building: extend through vertices of the graph; a path ends at a vertex without
 * edges, before a node outside the graph, or when a neighbour was already reached (cycles).
 * `reached` is shared across the whole search from one start edge, as in OPA.
 */
function buildPaths(graph: RegoObject, root: Value, path: Value[], reached: RegoSet, out: RegoSet): void {
  const edges = graph.get(root);
  if (edges === undefined) {
    out.add(path);
    return;
  }
  const here = [...path, root];
  const next = vertices("graph.reachable_paths", edges, 0);
  if (next.length === 0) out.add(here);
  for (const n of next) {
    if (reached.has(n)) out.add(here);
    else {
      reached.add(root);
      buildPaths(graph, n, here, reached, out);
    }
  }
}

function reachablePaths(args: readonly Value[]): Value {
  const graph = obj("graph.reachable_paths", args, 0);
  const out = new RegoSet();
  for (const start of vertices("graph.reachable_paths", arg(args, 1), 1)) {
    const edges = graph.get(start);
    if (edges === undefined) continue;
    const next = vertices("graph.reachable_paths", edges, 0);
    if (next.length === 0) out.add([start]);
    for (const n of next) buildPaths(graph, n, [start], RegoSet.from([start]), out);
  }
  return out;
}

export const GRAPH: BuiltinTable = {
  /**
   * `walk(x)` is a relation in OPA: `walk(x, [path, value])` enumerates every node. Here it
   * returns the ARRAY of all `[path, value]` pairs (pre-order, root first with path `[]`,
   * object keys and set members in Rego order); the evaluator must iterate that array and
   * unify each pair with the call's output argument, rather than bind the array itself.
   */
  walk: { arity: 1, fn: (args, ctx) => walkPairs(arg(args, 0), ctx) },
  "graph.reachable": { arity: 2, fn: reachable },
  "graph.reachable_paths": { arity: 2, fn: reachablePaths },
};
