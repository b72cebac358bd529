/**
 * `json.filter` and `json.remove`: keep or drop the parts of a document named by paths. Paths are
 * "a/b/c" strings (JSON-pointer escapes `~0` `~1` allowed) or arrays of keys. As in OPA, arrays are
 * addressed by their index written as a string ("0"), sets by their member value.
 */
import { RegoObject, RegoSet, type Value } from "../value.js";
import { collection, obj, typeFail } from "./args.js";
import type { BuiltinTable } from "./types.js";

/** A path tree: each key maps to a subtree, or to `null` when the whole value there is named. */
type PathTree = RegoObject;

export function splitPointer(path: string): string[] {
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return [];
  return trimmed.split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function toPath(name: string, p: Value): readonly Value[] {
  if (typeof p === "string") return splitPointer(p);
  if (Array.isArray(p)) return p as readonly Value[];
  return typeFail(name, 1, "a collection of string or array paths", p);
}

/** Shorter paths win: once a prefix is a leaf, longer paths under it add nothing. */
function buildTree(name: string, args: readonly Value[]): PathTree {
  const root = new RegoObject();
  for (const raw of collection(name, args, 1)) insertPath(root, toPath(name, raw));
  return root;
}

function insertPath(root: PathTree, path: readonly Value[]): void {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i] as Value;
    if (i === path.length - 1) {
      node.set(key, null);
      return;
    }
    const existing = node.get(key);
    if (existing === null) return;
    const child = existing instanceof RegoObject ? existing : new RegoObject();
    node.set(key, child);
    node = child;
  }
}

function childTree(tree: PathTree, key: Value): Value | undefined {
  return tree.get(key);
}

function filterValue(v: Value, tree: Value): Value {
  if (!(tree instanceof RegoObject)) return v;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    (v as readonly Value[]).forEach((el, i) => {
      const sub = childTree(tree, String(i));
      if (sub !== undefined) out.push(filterValue(el, sub));
    });
    return out;
  }
  if (v instanceof RegoSet) {
    const out = new RegoSet();
    for (const el of v) {
      const sub = childTree(tree, el);
      if (sub !== undefined) out.add(filterValue(el, sub));
    }
    return out;
  }
  if (v instanceof RegoObject) {
    const out = new RegoObject();
    for (const [k, x] of v.entries()) {
      const sub = childTree(tree, k);
      if (sub !== undefined) out.set(k, filterValue(x, sub));
    }
    return out;
  }
  return v;
}

function removeValue(v: Value, tree: PathTree): Value {
  if (Array.isArray(v)) {
    const out: Value[] = [];
    (v as readonly Value[]).forEach((el, i) => {
      const sub = childTree(tree, String(i));
      if (sub === undefined) out.push(el);
      else if (sub instanceof RegoObject) out.push(removeValue(el, sub));
    });
    return out;
  }
  if (v instanceof RegoSet) {
    const out = new RegoSet();
    for (const el of v) {
      const sub = childTree(tree, el);
      if (sub === undefined) out.add(el);
      else if (sub instanceof RegoObject) out.add(removeValue(el, sub));
    }
    return out;
  }
  if (v instanceof RegoObject) {
    const out = new RegoObject();
    for (const [k, x] of v.entries()) {
      const sub = childTree(tree, k);
      if (sub === undefined) out.set(k, x);
      else if (sub instanceof RegoObject) out.set(k, removeValue(x, sub));
    }
    return out;
  }
  return v;
}

export const JSON_PATHS: BuiltinTable = {
  "json.filter": {
    arity: 2,
    fn: (args) => filterValue(obj("json.filter", args, 0), buildTree("json.filter", args)),
  },
  "json.remove": {
    arity: 2,
    fn: (args) => removeValue(obj("json.remove", args, 0), buildTree("json.remove", args)),
  },
};
