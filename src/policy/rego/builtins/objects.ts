/** Object builtins: object.get/remove/union/union_n/filter/keys/subset. */
import { equals, RegoObject, RegoSet, type Value } from "../value.js";
import { arg, arr, obj, typeFail } from "./args.js";
import type { BuiltinTable } from "./types.js";

/** The keys named by an array, a set or an object's keys, as OPA accepts for filter/remove. */
function keyCollection(name: string, args: readonly Value[], pos: number): RegoSet {
  const v = arg(args, pos);
  if (Array.isArray(v)) return RegoSet.from(v);
  if (v instanceof RegoSet) return v;
  if (v instanceof RegoObject) return RegoSet.from(v.keys());
  return typeFail(name, pos, "array, set or object", v);
}

/** One step of a path lookup: object key, array index, or set membership (as a Rego ref does). */
export function step(node: Value, key: Value): Value | undefined {
  if (node instanceof RegoObject) return node.get(key);
  if (Array.isArray(node)) {
    return typeof key === "number" && Number.isInteger(key) ? (node as readonly Value[])[key] : undefined;
  }
  if (node instanceof RegoSet) return node.has(key) ? key : undefined;
  return undefined;
}

function orDefault(v: Value | undefined, fallback: Value): Value {
  return v === undefined ? fallback : v;
}

/** `object.get(obj, key, default)`; an array key is a path, so `[]` returns `obj` itself. */
function get(args: readonly Value[]): Value {
  const o = obj("object.get", args, 0);
  const key = arg(args, 1);
  const fallback = arg(args, 2);
  // Compare with undefined, not `??`: a key whose value is null is present.
  if (!Array.isArray(key)) return orDefault(o.get(key), fallback);
  let node: Value | undefined = o;
  for (const k of key as readonly Value[]) {
    node = node === undefined ? undefined : step(node, k);
  }
  return orDefault(node, fallback);
}

function filterKeys(name: string, args: readonly Value[], keep: boolean): Value {
  const o = obj(name, args, 0);
  const keys = keyCollection(name, args, 1);
  const out = new RegoObject();
  for (const [k, v] of o.entries()) if (keys.has(k) === keep) out.set(k, v);
  return out;
}

/** Recursive merge; on a shared key `b` wins unless both sides are objects. */
export function mergeObjects(a: RegoObject, b: RegoObject): RegoObject {
  const out = RegoObject.fromEntries(a.entries());
  for (const [k, bv] of b.entries()) {
    const av = a.get(k);
    out.set(k, av instanceof RegoObject && bv instanceof RegoObject ? mergeObjects(av, bv) : bv);
  }
  return out;
}

function unionN(args: readonly Value[]): Value {
  let out = new RegoObject();
  for (const o of arr("object.union_n", args, 0)) {
    if (!(o instanceof RegoObject)) typeFail("object.union_n", 0, "array of objects", o);
    out = mergeObjects(out, o);
  }
  return out;
}

function containsRun(sup: readonly Value[], sub: readonly Value[]): boolean {
  if (sub.length === 0) return true;
  for (let i = 0; i + sub.length <= sup.length; i++) {
    if (sub.every((v, j) => equals(v, sup[i + j] as Value))) return true;
  }
  return false;
}

/**
 * OPA's subset: objects recurse on shared keys, sets test membership, arrays must contain `sub`
 * as a contiguous run, an array super with a set sub tests membership; anything else is equality.
 */
function isSubset(sup: Value, sub: Value): boolean {
  if (sup instanceof RegoObject && sub instanceof RegoObject) {
    for (const [k, sv] of sub.entries()) {
      const pv = sup.get(k);
      if (pv === undefined || !isSubset(pv, sv)) return false;
    }
    return true;
  }
  if (sup instanceof RegoSet && sub instanceof RegoSet) return [...sub].every((v) => sup.has(v));
  if (Array.isArray(sup) && Array.isArray(sub)) return containsRun(sup, sub);
  if (Array.isArray(sup) && sub instanceof RegoSet) {
    const members = RegoSet.from(sup as readonly Value[]);
    return [...sub].every((v) => members.has(v));
  }
  return equals(sup, sub);
}

function subset(args: readonly Value[]): Value {
  const sup = arg(args, 0);
  const sub = arg(args, 1);
  const composite = (v: Value) => v instanceof RegoObject || v instanceof RegoSet || Array.isArray(v);
  if (!composite(sup)) typeFail("object.subset", 0, "object, set or array", sup);
  if (!composite(sub)) typeFail("object.subset", 1, "object, set or array", sub);
  const compatible =
    (sup instanceof RegoObject && sub instanceof RegoObject) ||
    (sup instanceof RegoSet && sub instanceof RegoSet) ||
    (Array.isArray(sup) && !(sub instanceof RegoObject));
  if (!compatible) typeFail("object.subset", 1, "a value of a type comparable with operand 1", sub);
  return isSubset(sup, sub);
}

export const OBJECTS: BuiltinTable = {
  "object.get": { arity: 3, fn: get },
  "object.remove": { arity: 2, fn: (args) => filterKeys("object.remove", args, false) },
  "object.filter": { arity: 2, fn: (args) => filterKeys("object.filter", args, true) },
  "object.union": {
    arity: 2,
    fn: (args) => mergeObjects(obj("object.union", args, 0), obj("object.union", args, 1)),
  },
  "object.union_n": { arity: 1, fn: unionN },
  "object.keys": { arity: 1, fn: (args) => RegoSet.from(obj("object.keys", args, 0).keys()) },
  "object.subset": { arity: 2, fn: subset },
};
