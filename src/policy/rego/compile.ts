/** Whole-policy compilation: rule tree, name environments, plans, recursion check, indexes. */
import type { Module, Term } from "./ast.js";
import { BUILTINS } from "./builtins/index.js";
import { RegoCompileError } from "./errors.js";
import type { IRBody } from "./ir.js";
import type { Slots } from "./order.js";
import { compileBody } from "./plan-body.js";
import type { CompileCtx, DataTarget } from "./plan-types.js";
import { type ModuleEnv, Resolver } from "./resolve.js";
import type { GroupPlan } from "./rule-eval.js";
import { buildIndex } from "./rule-index.js";
import { compileDef, type DefPlan } from "./rule-plan.js";
import { RuleTree } from "./rule-tree.js";
import { RegoObject, RegoSet, type Value } from "./value.js";

export interface CompiledRules {
  readonly tree: RuleTree;
  readonly groups: readonly GroupPlan[];
  readonly cc: CompileCtx;
  readonly functions: ReadonlyMap<string, number>;
  /** Names for query compilation, keyed by group id for recursion tracking. */
  readonly packages: readonly string[];
}

function builtinArity(name: string): number | undefined {
  if (name === "print") return 0;
  return BUILTINS[name]?.arity;
}

/** Module environment: imports (alias → path) and the package's rule names. */
function moduleEnv(m: Module, tree: RuleTree, functions: ReadonlyMap<string, number>): ModuleEnv {
  const imports = new Map<string, readonly string[]>();
  for (const imp of m.imports) {
    if (imp.path[0] !== "data" && imp.path[0] !== "input") continue;
    const alias = imp.alias ?? (imp.path[imp.path.length - 1] as string);
    imports.set(alias, imp.path);
  }
  const pkgNode = tree.node(m.pkg);
  const ruleNames = new Set<string>();
  for (const [name, n] of pkgNode.children) if (n.hasRules) ruleNames.add(name);
  return { pkg: m.pkg, imports, ruleNames, functions, builtinArity, v1: m.v1 };
}

export function compileModules(modules: readonly Module[]): CompiledRules {
  const tree = new RuleTree();
  for (const [i, m] of modules.entries()) {
    for (let i = 0; i <= m.pkg.length; i++) tree.node(m.pkg.slice(0, i)).hasRules = true;
    for (const r of m.rules) tree.add(m.pkg, r, i);
  }
  tree.checkNesting();
  const functions = new Map<string, number>();
  for (const g of tree.groups) if (g.callable) functions.set(g.path.join("."), g.arity);
  const deps: Set<number>[] = tree.groups.map(() => new Set());
  const constants = new Map<number, Value>();
  for (const g of tree.groups) {
    const only = g.defs[0];
    if (g.kind !== "complete" || g.defs.length !== 1 || g.defaults.length > 0 || !only) continue;
    const r = only.rule;
    const v = r.body.length === 0 && r.elses.length === 0 && r.value ? literalValue(r.value) : undefined;
    if (v !== undefined) constants.set(g.id, v);
  }
  let current: Set<number> | undefined;
  const cc: CompileCtx = {
    builtins: BUILTINS,
    resolveData: (path) => {
      const t = resolveData(tree, path);
      if (current && t.kind === "group") current.add(t.id);
      if (current && t.kind === "node") for (const [id] of groupsUnder(tree, path)) current.add(id);
      return t;
    },
    groupsUnder: (path) => groupsUnder(tree, path),
    groupConstant: (id) => constants.get(id),
    functionGroup: (path) => {
      const n = tree.node(path);
      if (!n.group)
        throw new RegoCompileError([{ file: "", line: 0, col: 0, message: `unknown function ${path.join(".")}` }]);
      current?.add(n.group.id);
      return n.group.id;
    },
    names: [],
    body: (b: IRBody, bound: Slots) => compileBody(b, bound, cc, cc.names),
  };
  const envs = modules.map((m) => moduleEnv(m, tree, functions));
  const groups: GroupPlan[] = tree.groups.map((g) => {
    current = deps[g.id];
    const compile = (src: (typeof g.defs)[number]): DefPlan => {
      const env = envs[src.moduleIndex] as ModuleEnv;
      const resolver = new Resolver(env);
      return compileDef(src.rule, src.keys, resolver, cc);
    };
    const defs = g.defs.map(compile);
    const defaultSrc = g.defaults[0];
    const defaultDef = defaultSrc ? compile(defaultSrc) : undefined;
    const consts = defs.map((d) => d.constValue);
    const sameConst = consts.length > 0 && consts.every((v) => v !== undefined && v === consts[0]);
    const name = `data.${g.path.join(".")}`;
    const plan: GroupPlan = {
      id: g.id,
      name,
      kind: g.kind,
      multi: g.multi,
      defs,
      defaultDef,
      sameConst,
      candidates: undefined,
    };
    return { ...plan, candidates: g.kind === "function" ? undefined : buildIndex(defs) };
  });
  current = undefined;
  checkRecursion(groups, deps);
  const packages = [...new Set(modules.map((m) => m.pkg.join(".")))].sort();
  return { tree, groups, cc, functions, packages };
}

/** The value of a term made only of literals (no variables, refs or calls), else undefined. */
function literalValue(t: Term): Value | undefined {
  switch (t.t) {
    case "scalar":
      return t.v;
    case "array":
    case "set": {
      const items = t.items.map(literalValue);
      if (items.some((x) => x === undefined)) return undefined;
      return t.t === "array" ? (items as Value[]) : RegoSet.from(items as Value[]);
    }
    case "object": {
      const o = new RegoObject();
      for (const [k, v] of t.entries) {
        const kv = literalValue(k);
        const vv = literalValue(v);
        if (kv === undefined || vv === undefined) return undefined;
        o.set(kv, vv);
      }
      return o;
    }
    default:
      return undefined;
  }
}

export function resolveData(tree: RuleTree, path: readonly string[]): DataTarget {
  let n = tree.root;
  for (let i = 0; i < path.length; i++) {
    if (n.group) return { kind: "group", id: n.group.id, depth: i };
    const next = n.children.get(path[i] as string);
    // Keys no rule (or package) defines are plain base data.
    if (!next?.hasRules) return { kind: "base" };
    n = next;
  }
  if (n.group && n.children.size === 0) return { kind: "group", id: n.group.id, depth: path.length };
  return { kind: "node", id: n.id, depth: path.length };
}

export function groupsUnder(tree: RuleTree, path: readonly string[]): [number, string[]][] {
  const out: [number, string[]][] = [];
  let n = tree.root;
  for (const key of path) {
    const next = n.children.get(key);
    if (!next) return out;
    n = next;
  }
  const walk = (node: typeof n, rel: string[]): void => {
    if (node.group) out.push([node.group.id, rel]);
    for (const [k, c] of node.children) walk(c, [...rel, k]);
  };
  walk(n, []);
  return out;
}

function checkRecursion(groups: readonly GroupPlan[], deps: readonly Set<number>[]): void {
  const state = new Array<number>(groups.length).fill(0);
  const visit = (id: number, stack: number[]): void => {
    if (state[id] === 2) return;
    if (state[id] === 1) {
      const g = groups[id] as GroupPlan;
      const loc = (g.defs[0] ?? g.defaultDef)?.rule.loc ?? { file: "", line: 0, col: 0 };
      const cycle = [...stack.slice(stack.indexOf(id)), id].map((i) => groups[i]?.name).join(" -> ");
      throw RegoCompileError.at(loc, `rego_recursion_error: rule ${g.name} is recursive: ${cycle}`);
    }
    state[id] = 1;
    for (const d of deps[id] ?? []) visit(d, [...stack, id]);
    state[id] = 2;
  };
  for (const g of groups) visit(g.id, []);
}
