/**
 * Rego's value model.
 *
 * A Rego value is JSON plus sets, plus objects whose keys may be any value. Scalars and arrays are
 * plain JS values (`null`, `boolean`, `number`, `string`, `Value[]`); objects and sets are the two
 * classes below. "Undefined" is JS `undefined` and is never stored inside a value.
 *
 * Values are immutable once built: builders (`RegoObject.set`, `RegoSet.add`) are only used while a
 * value is being constructed, never on a value another piece of code can already see.
 *
 * Ordering follows OPA: null < boolean < number < string < array < object < set.
 */
import { RegoLimitError } from "./errors.js";

export type Scalar = null | boolean | number | string;
export type Value = Scalar | readonly Value[] | RegoObject | RegoSet;

/** Primitive keys go straight into a JS Map (SameValueZero keeps "1" and 1 apart). */
type PrimitiveKey = Scalar;

function isComposite(v: Value): v is readonly Value[] | RegoObject | RegoSet {
  return v !== null && typeof v === "object";
}

/**
 * A Rego object. Keys may be any value; string keys are the fast path. The map for composite keys
 * is created only when one is set: most objects never have one, and evaluations build many objects.
 */
export class RegoObject {
  private readonly primitives = new Map<PrimitiveKey, Value>();
  private composites: Map<string, readonly [Value, Value]> | undefined = undefined;

  get size(): number {
    return this.primitives.size + (this.composites?.size ?? 0);
  }

  get(key: Value): Value | undefined {
    if (!isComposite(key)) return this.primitives.get(key);
    return this.composites?.get(canonicalKey(key))?.[1];
  }

  has(key: Value): boolean {
    return this.get(key) !== undefined;
  }

  /** Builder: only while constructing. Returns this for chaining. */
  set(key: Value, value: Value): this {
    if (!isComposite(key)) this.primitives.set(key, value);
    else {
      if (this.composites === undefined) this.composites = new Map();
      this.composites.set(canonicalKey(key), [key, value]);
    }
    return this;
  }

  *entries(): IterableIterator<[Value, Value]> {
    for (const [k, v] of this.primitives) yield [k, v];
    if (this.composites) for (const [k, v] of this.composites.values()) yield [k, v];
  }

  *keys(): IterableIterator<Value> {
    yield* this.primitives.keys();
    if (this.composites) for (const [k] of this.composites.values()) yield k;
  }

  *values(): IterableIterator<Value> {
    yield* this.primitives.values();
    if (this.composites) for (const [, v] of this.composites.values()) yield v;
  }

  /** Entries sorted by key in Rego order (for output, comparison and deterministic iteration). */
  sortedEntries(): [Value, Value][] {
    // Straight from the maps rather than through the entries() generator: decisions convert their
    // outputs (filtered parameters, reasons) with this on every evaluation.
    const out: [Value, Value][] = Array.from(this.primitives);
    if (this.composites) for (const [k, v] of this.composites.values()) out.push([k, v]);
    if (out.length > 1) out.sort(compareKeys);
    return out;
  }

  static fromEntries(entries: Iterable<readonly [Value, Value]>): RegoObject {
    const o = new RegoObject();
    for (const [k, v] of entries) o.set(k, v);
    return o;
  }
}

/** A Rego set: unordered, no duplicates by value equality. Composite elements: as in RegoObject. */
export class RegoSet {
  // Both created on first use: many sets (a deny set, an empty partial rule) stay empty.
  private primitives: Set<PrimitiveKey> | undefined = undefined;
  private composites: Map<string, Value> | undefined = undefined;

  get size(): number {
    return (this.primitives?.size ?? 0) + (this.composites?.size ?? 0);
  }

  has(v: Value): boolean {
    if (!isComposite(v)) return this.primitives?.has(v) ?? false;
    return this.composites?.has(canonicalKey(v)) ?? false;
  }

  /** Builder: only while constructing. Returns this for chaining. */
  add(v: Value): this {
    if (!isComposite(v)) {
      if (this.primitives === undefined) this.primitives = new Set();
      this.primitives.add(v);
    } else {
      if (this.composites === undefined) this.composites = new Map();
      const key = canonicalKey(v);
      if (!this.composites.has(key)) this.composites.set(key, v);
    }
    return this;
  }

  *values(): IterableIterator<Value> {
    if (this.primitives) yield* this.primitives;
    if (this.composites) yield* this.composites.values();
  }

  [Symbol.iterator](): IterableIterator<Value> {
    return this.values();
  }

  /** Elements sorted in Rego order. */
  sorted(): Value[] {
    // As in RegoObject.sortedEntries: no generator, and nothing to sort for the usual empty set.
    const out: Value[] = this.primitives ? Array.from(this.primitives) : [];
    if (this.composites) for (const v of this.composites.values()) out.push(v);
    if (out.length > 1) out.sort(compare);
    return out;
  }

  static from(values: Iterable<Value>): RegoSet {
    const s = new RegoSet();
    for (const v of values) s.add(v);
    return s;
  }
}

export function isObject(v: Value | undefined): v is RegoObject {
  return v instanceof RegoObject;
}
export function isSet(v: Value | undefined): v is RegoSet {
  return v instanceof RegoSet;
}
export function isArray(v: Value | undefined): v is readonly Value[] {
  return Array.isArray(v);
}

/** OPA's type names, as returned by `type_name`. */
export function typeName(v: Value): "null" | "boolean" | "number" | "string" | "array" | "object" | "set" {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
    default:
      if (Array.isArray(v)) return "array";
      return v instanceof RegoSet ? "set" : "object";
  }
}

const TYPE_RANK = { null: 0, boolean: 1, number: 2, string: 3, array: 4, object: 5, set: 6 } as const;

/** Total order over values, as OPA sorts them. Returns <0, 0 or >0. */
export function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return TYPE_RANK[ta] - TYPE_RANK[tb];
  switch (ta) {
    case "null":
      return 0;
    case "boolean":
      return a === b ? 0 : a === false ? -1 : 1;
    case "number":
      return (a as number) - (b as number);
    case "string":
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case "array":
      return compareSequences(a as readonly Value[], b as readonly Value[]);
    case "set":
      return compareSequences((a as RegoSet).sorted(), (b as RegoSet).sorted());
    case "object":
      return compareObjects(a as RegoObject, b as RegoObject);
  }
}

function compareKeys(a: readonly [Value, Value], b: readonly [Value, Value]): number {
  return compare(a[0], b[0]);
}

function compareSequences(a: readonly Value[], b: readonly Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i] as Value, b[i] as Value);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareObjects(a: RegoObject, b: RegoObject): number {
  const ea = a.sortedEntries();
  const eb = b.sortedEntries();
  const n = Math.min(ea.length, eb.length);
  for (let i = 0; i < n; i++) {
    const [ka, va] = ea[i] as [Value, Value];
    const [kb, vb] = eb[i] as [Value, Value];
    const ck = compare(ka, kb);
    if (ck !== 0) return ck;
    const cv = compare(va, vb);
    if (cv !== 0) return cv;
  }
  return ea.length - eb.length;
}

/** Value equality (structural). */
export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (!isComposite(a) || !isComposite(b)) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i] as Value, b[i] as Value)) return false;
    return true;
  }
  if (a instanceof RegoSet) {
    if (!(b instanceof RegoSet) || a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) return false;
    return true;
  }
  if (!(b instanceof RegoObject) || (a as RegoObject).size !== b.size) return false;
  for (const [k, v] of (a as RegoObject).entries()) {
    const other = (b as RegoObject).get(k);
    if (other === undefined || !equals(v, other)) return false;
  }
  return true;
}

/**
 * A string that is equal for equal values and different otherwise; used as a Map key for
 * composite values. Type-tagged so that, e.g., the array ["a"] and the set {"a"} differ.
 */
export function canonicalKey(v: Value): string {
  if (v === null) return "n";
  switch (typeof v) {
    case "boolean":
      return v ? "t" : "f";
    case "number":
      return `#${v}`;
    case "string":
      return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(canonicalKey).join(",")}]`;
  if (v instanceof RegoSet) return `<${v.sorted().map(canonicalKey).join(",")}>`;
  const parts = (v as RegoObject).sortedEntries().map(([k, x]) => `${canonicalKey(k)}:${canonicalKey(x)}`);
  return `{${parts.join(",")}}`;
}

/**
 * Deepest nesting of plain data converted to a value (input, data, json/yaml.unmarshal) and of a
 * value converted back. Conversion is recursive; the limit turns a hostile 10,000-level document
 * into a clean evaluation error instead of a stack overflow.
 */
export const MAX_VALUE_DEPTH = 1_000;

function tooDeep(): never {
  throw new RegoLimitError(`value nested deeper than ${MAX_VALUE_DEPTH} levels`);
}

/**
 * Converts parsed JSON / YAML (plain JS data) into a Rego value. Only own enumerable properties
 * are read, so a `__proto__` key is an ordinary key and nothing inherited leaks in.
 */
export function fromJS(x: unknown): Value {
  return convertIn(x, 0);
}

function convertIn(x: unknown, depth: number): Value {
  if (x === null || typeof x === "boolean" || typeof x === "number" || typeof x === "string") return x;
  if (depth >= MAX_VALUE_DEPTH) tooDeep();
  if (Array.isArray(x)) return x.map((e) => convertIn(e, depth + 1));
  if (x instanceof RegoObject || x instanceof RegoSet) return x;
  if (typeof x === "bigint") return Number(x);
  if (typeof x === "object") {
    const o = new RegoObject();
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
      if (v !== undefined) o.set(k, convertIn(v, depth + 1));
    }
    return o;
  }
  throw new TypeError(`cannot convert ${typeof x} to a Rego value`);
}

/**
 * Converts a Rego value to plain JSON data: sets become sorted arrays, object keys that are not
 * strings are serialised with JSON (as OPA does when it marshals such objects).
 */
export function toJS(v: Value): unknown {
  return convertOut(v, 0);
}

function convertOut(v: Value, depth: number): unknown {
  if (!isComposite(v)) return v;
  if (depth >= MAX_VALUE_DEPTH) tooDeep();
  if (Array.isArray(v)) return v.map((e) => convertOut(e, depth + 1));
  if (v instanceof RegoSet) return v.sorted().map((e) => convertOut(e, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of (v as RegoObject).sortedEntries()) {
    const key = typeof k === "string" ? k : JSON.stringify(convertOut(k, depth + 1));
    const value = convertOut(x, depth + 1);
    setOwn(out, key, value);
  }
  return out;
}

/**
 * `out[key] = value` that always creates an own property. Assigning `out["__proto__"]` would
 * replace out's prototype instead of adding a key, and Rego values carry user-controlled keys.
 */
export function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
