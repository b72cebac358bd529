/**
 * `json.patch(doc, patches)`: RFC 6902 over Rego values. Beyond JSON, a path may be an array of
 * keys (so non-string object keys and set members can be addressed) and sets are patched by member
 * value. Any failing operation makes the whole call undefined, as OPA does; the input is never
 * mutated because every step rebuilds the containers it touches.
 */
import { equals, RegoObject, RegoSet, type Value } from "../value.js";
import { arg, arr } from "./args.js";
import type { BuiltinTable } from "./types.js";

/** Internal signal: the patch does not apply. Never escapes this module. */
class PatchFailure extends Error {}

function failPatch(): never {
  throw new PatchFailure();
}

type Path = readonly Value[];
/** What a leaf operation does to the container that holds the addressed key. */
type LeafEdit = (container: Value, key: Value) => Value;

function parsePath(raw: Value | undefined): Path {
  if (Array.isArray(raw)) return raw as Path;
  if (typeof raw !== "string") return failPatch();
  if (raw === "") return [];
  if (!raw.startsWith("/")) return failPatch();
  return raw
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** Array index from a pointer token or a number: no sign, no leading zeros, within bounds. */
function arrayIndex(key: Value, limit: number): number {
  let n: number;
  if (typeof key === "string" && /^(0|[1-9][0-9]*)$/.test(key)) n = Number(key);
  else if (typeof key === "number" && Number.isSafeInteger(key)) n = key;
  else return failPatch();
  if (n < 0 || n > limit) failPatch();
  return n;
}

function lookup(node: Value, key: Value): Value {
  if (node instanceof RegoObject) {
    const v = node.get(key);
    return v === undefined ? failPatch() : v; // `null` is a present value
  }
  if (Array.isArray(node)) return (node as readonly Value[])[arrayIndex(key, node.length - 1)] as Value;
  if (node instanceof RegoSet) return node.has(key) ? key : failPatch();
  return failPatch();
}

function getAt(doc: Value, path: Path): Value {
  return path.reduce<Value>((node, key) => lookup(node, key), doc);
}

function replaceChild(node: Value, key: Value, child: Value): Value {
  if (node instanceof RegoObject) return RegoObject.fromEntries(node.entries()).set(key, child);
  if (Array.isArray(node)) {
    const out = [...(node as readonly Value[])];
    out[arrayIndex(key, node.length - 1)] = child;
    return out;
  }
  const members = [...(node as RegoSet)].filter((m) => !equals(m, key));
  return RegoSet.from(members).add(child);
}

/** Rebuilds the path down to the last key's container, applying `edit` there. */
function editAt(doc: Value, path: Path, edit: LeafEdit, throughSets: boolean): Value {
  const [key, ...rest] = path;
  if (key === undefined) return failPatch();
  if (rest.length === 0) return edit(doc, key);
  if (doc instanceof RegoSet && !throughSets) failPatch();
  const child = lookup(doc, key);
  return replaceChild(doc, key, editAt(child, rest, edit, throughSets));
}

function addEdit(value: Value): LeafEdit {
  return (container, key) => {
    if (container instanceof RegoObject) return RegoObject.fromEntries(container.entries()).set(key, value);
    if (container instanceof RegoSet) return RegoSet.from(container).add(value);
    if (!Array.isArray(container)) return failPatch();
    const items = container as readonly Value[];
    const at = key === "-" ? items.length : arrayIndex(key, items.length);
    return [...items.slice(0, at), value, ...items.slice(at)];
  };
}

const removeEdit: LeafEdit = (container, key) => {
  if (container instanceof RegoObject) {
    if (!container.has(key)) failPatch();
    return RegoObject.fromEntries([...container.entries()].filter(([k]) => !equals(k, key)));
  }
  if (container instanceof RegoSet) {
    if (!container.has(key)) failPatch();
    return RegoSet.from([...container].filter((m) => !equals(m, key)));
  }
  if (!Array.isArray(container)) return failPatch();
  const at = arrayIndex(key, container.length - 1);
  return (container as readonly Value[]).filter((_, i) => i !== at);
};

function replaceEdit(value: Value): LeafEdit {
  return (container, key) => {
    lookup(container, key); // the target must exist
    if (container instanceof RegoSet && !equals(key, value)) failPatch();
    return replaceChild(container, key, value);
  };
}

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length < path.length && prefix.every((k, i) => equals(k, path[i] as Value));
}

function need(v: Value | undefined): Value {
  return v === undefined ? failPatch() : v;
}

/** The document may become absent (root removed); `undefined` stands for that. */
function applyOne(doc: Value | undefined, op: RegoObject): Value | undefined {
  const kind = op.get("op");
  const path = parsePath(op.get("path"));
  const value = op.get("value");
  if (kind === "add") return path.length === 0 ? need(value) : editAt(need(doc), path, addEdit(need(value)), true);
  const current = need(doc); // every other operation needs a document to work on
  switch (kind) {
    case "remove":
      return path.length === 0 ? undefined : editAt(current, path, removeEdit, true);
    case "replace":
      return path.length === 0 ? need(value) : editAt(current, path, replaceEdit(need(value)), false);
    case "test":
      if (!equals(getAt(current, path), need(value))) failPatch();
      return current;
    case "copy": {
      const copied = getAt(current, parsePath(op.get("from")));
      return path.length === 0 ? copied : editAt(current, path, addEdit(copied), true);
    }
    case "move":
      return move(current, parsePath(op.get("from")), path);
    default:
      return failPatch();
  }
}

function move(doc: Value, from: Path, to: Path): Value | undefined {
  if (isPrefix(from, to)) failPatch();
  const moved = getAt(doc, from);
  const without = from.length === 0 ? undefined : editAt(doc, from, removeEdit, true);
  if (to.length === 0) return moved;
  return editAt(without === undefined ? failPatch() : without, to, addEdit(moved), true);
}

function patch(args: readonly Value[]): Value | undefined {
  let doc: Value | undefined = arg(args, 0);
  const ops = arr("json.patch", args, 1);
  try {
    for (const op of ops) {
      if (!(op instanceof RegoObject)) return undefined;
      doc = applyOne(doc, op);
    }
  } catch (e) {
    if (e instanceof PatchFailure) return undefined;
    throw e;
  }
  return doc;
}

export const JSON_PATCH: BuiltinTable = {
  "json.patch": { arity: 2, fn: patch },
};
