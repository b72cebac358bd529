/** Name resolution: turns AST bodies into IR with frame slots, global refs and call targets. */
import { type Location, RegoCompileError } from "../errors.js";
import type { Body, Literal, Term, WithMod } from "../syntax/ast.js";
import { RegoObject, RegoSet, type Value } from "../value.js";
import type { CallTarget, IR, IRBody, IRLit, IRWith } from "./ir.js";

/** What a module's names can refer to, besides local variables. */
export interface ModuleEnv {
  readonly pkg: readonly string[];
  /** Alias → full path starting with "data" or "input". */
  readonly imports: ReadonlyMap<string, readonly string[]>;
  /** Top-level rule names of the package (across all its modules). */
  readonly ruleNames: ReadonlySet<string>;
  /** Joined data path (without "data.") → arity, for every function. */
  readonly functions: ReadonlyMap<string, number>;
  readonly builtinArity: (name: string) => number | undefined;
  readonly v1: boolean;
}

/** A lexical scope; all scopes of one rule share a single frame of slots. */
export class Scope {
  readonly vars = new Map<string, number>();
  readonly locals = new Set<number>();
  constructor(
    readonly frame: { n: number; names: string[] },
    readonly parent: Scope | undefined,
  ) {}

  lookup(name: string): number | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }

  declare(name: string): number {
    const slot = this.frame.n++;
    this.frame.names[slot] = name;
    this.vars.set(name, slot);
    this.locals.add(slot);
    return slot;
  }

  child(): Scope {
    return new Scope(this.frame, this);
  }
}

const fail = (loc: Location, message: string): never => {
  throw RegoCompileError.at(loc, message);
};

export class Resolver {
  constructor(readonly env: ModuleEnv) {}

  body(body: Body, scope: Scope): IRBody {
    const lits = body.map((l) => this.literal(l, scope));
    return { lits, locals: scope.locals };
  }

  private literal(l: Literal, scope: Scope): IRLit {
    switch (l.kind) {
      case "some":
        for (const v of l.vars) if (v.t === "var") this.declareFresh(v.name, v.loc, scope);
        return { kind: "noop", loc: l.loc };
      case "somein": {
        const coll = this.term(l.coll, scope);
        const key = l.key ? this.declarePattern(l.key, scope) : undefined;
        const value = this.declarePattern(l.value, scope);
        return { kind: "somein", key, value, coll, withs: this.withs(l.withs, scope), loc: l.loc };
      }
      case "every": {
        const coll = this.term(l.coll, scope);
        const inner = scope.child();
        const key = l.key ? this.declarePattern(l.key, inner) : undefined;
        const value = this.declarePattern(l.value, inner);
        const body = this.body(l.body, inner);
        return { kind: "every", key, value, coll, body, withs: this.withs(l.withs, scope), loc: l.loc };
      }
      case "expr":
        return this.exprLiteral(l, scope);
    }
  }

  private exprLiteral(l: Extract<Literal, { kind: "expr" }>, scope: Scope): IRLit {
    const withs = this.withs(l.withs, scope);
    if (l.op === ":=" && l.r) {
      const r = this.term(l.r, scope);
      if (!hasVars(l.l)) fail(l.loc, "assignment operator := requires left-hand side to have bindable variables");
      const left = this.declarePattern(l.l, scope);
      return { kind: "expr", op: ":=", l: left, r, negated: l.negated, withs, loc: l.loc };
    }
    const top = !l.r && l.l.t === "call";
    const left = top && l.l.t === "call" ? this.call(l.l.fn, l.l.args, l.l.loc, scope, true) : this.term(l.l, scope);
    const r = l.r ? this.term(l.r, scope) : undefined;
    if (!r && left.k === "call" && this.hasOutputArg(left)) {
      // `f(x, out)` is `out = f(x)`: the extra argument receives the result.
      const out = left.args[left.args.length - 1] as IR;
      let call: IR = { ...left, args: left.args.slice(0, -1) };
      if (left.target.kind === "builtin" && left.target.name === "walk") {
        // `walk` is a relation: the builtin returns every [path, value] pair and each one unifies.
        const i: IR = { k: "local", slot: scope.declare(`_$walk${scope.frame.n}`), name: "_", loc: l.loc };
        call = { k: "ref", head: call, path: [i], loc: l.loc };
      }
      return { kind: "expr", op: "=", l: out, r: call, negated: l.negated, withs, loc: l.loc };
    }
    return { kind: "expr", op: l.op, l: left, r, negated: l.negated, withs, loc: l.loc };
  }

  private declareFresh(name: string, loc: Location, scope: Scope): number {
    if (this.env.v1 && (name === "input" || name === "data")) fail(loc, `${name} cannot be shadowed`);
    if (scope.vars.has(name)) fail(loc, `var \`${name}\` assigned above (cannot redeclare)`);
    return scope.declare(name);
  }

  /** Declares every variable of a `:=` / `some ... in` pattern as new in `scope`. */
  declarePattern(t: Term, scope: Scope): IR {
    if (t.t === "var") return { k: "local", slot: this.declareFresh(t.name, t.loc, scope), name: t.name, loc: t.loc };
    if (t.t === "array") return { k: "array", items: t.items.map((x) => this.declarePattern(x, scope)), loc: t.loc };
    if (t.t === "object") {
      const entries = t.entries.map(([k, v]) => [this.term(k, scope), this.declarePattern(v, scope)] as const);
      return { k: "object", entries, loc: t.loc };
    }
    return this.term(t, scope);
  }

  private withs(ws: readonly WithMod[], scope: Scope): IRWith[] {
    return ws.map((w) => {
      const path = this.withTarget(w.target);
      const joined = path.join(".");
      const isFn =
        (path[0] === "data" && this.env.functions.has(path.slice(1).join("."))) ||
        (path[0] !== "data" && path[0] !== "input");
      if (isFn && path[0] !== "data" && this.env.builtinArity(joined) === undefined) {
        fail(w.loc, `with target ${joined} is not a function, input or data reference`);
      }
      const replacement = isFn ? this.replacementTarget(w.value) : undefined;
      const value: IR = replacement ? { k: "const", v: null, loc: w.loc } : this.term(w.value, scope);
      return { target: path, fnName: isFn ? joined : undefined, replacement, value, loc: w.loc };
    });
  }

  /** A `with` value naming a function or builtin (not a local variable) replaces the target. */
  private replacementTarget(t: Term): CallTarget | undefined {
    const name: string[] = [];
    let head = t;
    if (t.t === "ref") {
      head = t.head;
      for (const s of t.path) {
        if (s.t !== "scalar" || typeof s.v !== "string") return undefined;
        name.push(s.v);
      }
    }
    if (head.t !== "var") return undefined;
    try {
      return this.callTarget([head.name, ...name], t.loc);
    } catch {
      return undefined;
    }
  }

  private withTarget(t: Term): string[] {
    const parts: string[] = [];
    let head = t;
    if (t.t === "ref") {
      head = t.head;
      for (const s of t.path) {
        if (s.t !== "scalar") fail(s.loc, "with target must be a constant path");
        parts.push(String((s as { v: unknown }).v));
      }
    }
    if (head.t !== "var") return fail(t.loc, "invalid with target");
    const name = head.name;
    const imp = this.env.imports.get(name);
    if (imp) return [...imp, ...parts];
    if (name === "input" || name === "data") return [name, ...parts];
    const local = [...this.env.pkg, name, ...parts];
    if (this.env.ruleNames.has(name) || this.env.functions.has(local.join("."))) return ["data", ...local];
    return [name, ...parts];
  }

  term(t: Term, scope: Scope): IR {
    switch (t.t) {
      case "scalar":
        return { k: "const", v: t.v, loc: t.loc };
      case "var":
        return this.name(t.name, t.loc, scope);
      case "ref":
        return this.ref(t, scope);
      case "array":
      case "set": {
        const items = t.items.map((x) => this.term(x, scope));
        return constFold({ k: t.t, items, loc: t.loc });
      }
      case "object": {
        const entries = t.entries.map(([k, v]) => [this.term(k, scope), this.term(v, scope)] as const);
        return constFold({ k: "object", entries, loc: t.loc });
      }
      case "arraycompr":
      case "setcompr": {
        const inner = scope.child();
        const body = this.body(t.body, inner);
        const kind = t.t === "arraycompr" ? "array" : "set";
        return { k: "compr", kind, key: undefined, term: this.term(t.term, inner), body, loc: t.loc };
      }
      case "objcompr": {
        const inner = scope.child();
        const body = this.body(t.body, inner);
        const key = this.term(t.key, inner);
        return { k: "compr", kind: "object", key, term: this.term(t.value, inner), body, loc: t.loc };
      }
      case "call":
        return this.call(t.fn, t.args, t.loc, scope);
      case "binop":
        return { k: "binop", op: t.op, l: this.term(t.l, scope), r: this.term(t.r, scope), loc: t.loc };
      case "in": {
        const key = t.key ? this.term(t.key, scope) : undefined;
        return { k: "in", key, value: this.term(t.value, scope), coll: this.term(t.coll, scope), loc: t.loc };
      }
    }
  }

  private name(name: string, loc: Location, scope: Scope): IR {
    const slot = scope.lookup(name);
    if (slot !== undefined) return { k: "local", slot, name, loc };
    const imp = this.env.imports.get(name);
    if (imp) return pathRef(imp, loc);
    if (this.env.ruleNames.has(name)) return pathRef(["data", ...this.env.pkg, name], loc);
    if (name === "input" || name === "data") return { k: "root", root: name, loc };
    return { k: "local", slot: scope.declare(name), name, loc };
  }

  private ref(t: Extract<Term, { t: "ref" }>, scope: Scope): IR {
    const head = this.term(t.head, scope);
    const path = t.path.map((s) => this.term(s, scope));
    if (head.k === "ref") return { k: "ref", head: head.head, path: [...head.path, ...path], loc: t.loc };
    return { k: "ref", head, path, loc: t.loc };
  }

  /** A call; only a call that is a whole literal may pass one extra (output) argument. */
  private call(fn: readonly string[], args: readonly Term[], loc: Location, scope: Scope, output = false): IR {
    const target = this.callTarget(fn, loc);
    const arity = this.arity(target);
    if (args.length !== arity && !(output && args.length === arity + 1) && target.kind !== "print") {
      const plural = arity === 1 ? "argument" : "arguments";
      fail(loc, `\`${fn.join(".")}\` expects ${arity} ${plural}, got ${args.length}`);
    }
    return { k: "call", target, args: args.map((a) => this.term(a, scope)), loc };
  }

  private hasOutputArg(t: Extract<IR, { k: "call" }>): boolean {
    return t.target.kind !== "print" && t.args.length === this.arity(t.target) + 1;
  }

  private arity(t: CallTarget): number {
    switch (t.kind) {
      case "function":
        return this.env.functions.get(t.path.join(".")) ?? 0;
      case "builtin":
        return this.env.builtinArity(t.name) ?? 0;
      case "print":
        return 0;
      case "member":
        return t.arity;
    }
  }

  callTarget(fn: readonly string[], loc: Location): CallTarget {
    const [first = "", ...rest] = fn;
    const fns = this.env.functions;
    const imp = this.env.imports.get(first);
    let path: readonly string[] | undefined;
    if (imp?.[0] === "data") path = [...imp.slice(1), ...rest];
    else if (first === "data") path = rest;
    else if (!imp && fns.has([...this.env.pkg, ...fn].join("."))) path = [...this.env.pkg, ...fn];
    if (path && fns.has(path.join("."))) return { kind: "function", path, name: `data.${path.join(".")}` };
    const name = fn.join(".");
    if (!path && !imp) {
      if (name === "print") return { kind: "print" };
      if (name === "internal.member_2") return { kind: "member", arity: 2 };
      if (name === "internal.member_3") return { kind: "member", arity: 3 };
      if (this.env.builtinArity(name) !== undefined) return { kind: "builtin", name };
    }
    return fail(loc, `could not find function ${name}`);
  }
}

function pathRef(path: readonly string[], loc: Location): IR {
  const root = path[0] === "input" ? "input" : "data";
  const rest = path.slice(1).map((s): IR => ({ k: "const", v: s, loc }));
  const head: IR = { k: "root", root, loc };
  return rest.length === 0 ? head : { k: "ref", head, path: rest, loc };
}

function hasVars(t: Term): boolean {
  if (t.t === "var") return true;
  if (t.t === "array") return t.items.some(hasVars);
  if (t.t === "object") return t.entries.some(([, v]) => hasVars(v));
  return false;
}

/** Collections of constants become one constant, so evaluation does not rebuild them. */
function constFold(t: IR): IR {
  if (t.k === "array" && t.items.every((x) => x.k === "const")) {
    return { k: "const", v: t.items.map((x) => (x as { v: Value }).v), loc: t.loc };
  }
  if (t.k === "set" && t.items.every((x) => x.k === "const")) {
    return { k: "const", v: RegoSet.from(t.items.map((x) => (x as { v: Value }).v)), loc: t.loc };
  }
  if (t.k === "object" && t.entries.every(([k, v]) => k.k === "const" && v.k === "const")) {
    const o = new RegoObject();
    for (const [k, v] of t.entries) o.set((k as { v: Value }).v, (v as { v: Value }).v);
    return { k: "const", v: o, loc: t.loc };
  }
  return t;
}
