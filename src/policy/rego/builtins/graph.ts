/** `walk`, `graph.reachable` and `graph.reachable_paths`. */
import { equals, RegoObject, RegoSet, type Value } from "../value.js";
import { arg, obj, typeFail } from "./args.js";
import type { BuiltinTable } from "./types.js";

function children(v: Value): [Value, Value][] {
  if (Array.isArray(v)) return (v as readonly Value[]).map((x, i) => [i, x]);
  if (v instanceof RegoObject) return v.sortedEntries();
  if (v instanceof RegoSet) return v.sorted().map((x) => [x, x]);
  return [];
}

/** Pre-order [path, value] pairs of `root`, the root itself first with path []. */
function walkPairs(root: Value): Value[] {
  const out: Value[] = [];
  const visit = (path: Value[], v: Value) => {
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

/** Every maximal acyclic path from each start node, as arrays of nodes. */
function reachablePaths(args: readonly Value[]): Value {
  const graph = obj("graph.reachable_paths", args, 0);
  const out = new RegoSet();
  const extend = (path: Value[]) => {
    const last = path[path.length - 1] as Value;
    // Stop at nodes outside the graph and at cycles, as OPA does.
    const next = vertices("graph.reachable_paths", graph.get(last), 0).filter(
      (n) => graph.has(n) && !path.some((p) => equals(p, n)),
    );
    if (next.length === 0) out.add(path);
    for (const n of next) extend([...path, n]);
  };
  for (const start of vertices("graph.reachable_paths", arg(args, 1), 1)) if (graph.has(start)) extend([start]);
  return out;
}

export const GRAPH: BuiltinTable = {
  /**
   * `walk(x)` is a relation in OPA: `walk(x, [path, value])` enumerates every node. Here it
   * returns the ARRAY of all `[path, value]` pairs (pre-order, root first with path `[]`,
   * object keys and set members in Rego order); the evaluator must iterate that array and
   * unify each pair with the call's output argument, rather than bind the array itself.
   */
  walk: { arity: 1, fn: (args) => walkPairs(arg(args, 0)) },
  "graph.reachable": { arity: 2, fn: reachable },
  "graph.reachable_paths": { arity: 2, fn: reachablePaths },
};
