/** Whole-policy compilation: rule tree, name environments, plans, recursion check, indexes. */
import { BUILTINS } from "../builtins/index.js";
import { RegoCompileError } from "../errors.js";
import { defRunner, type GroupPlan } from "../eval/rules.js";
import { compileBody } from "../plan/body.js";
import { compileDef, type DefPlan, literalValue } from "../plan/rule.js";
import { buildIndex, type ConstantAt } from "../plan/rule-index.js";
import type { CompileCtx, DataTarget } from "../plan/types.js";
import type { Module } from "../syntax/ast.js";
import type { Value } from "../value.js";
import type { IRBody } from "./ir.js";
import type { Slots } from "./order.js";
import { type ModuleEnv, Resolver } from "./resolve.js";
import { type GroupSource, type RuleSource, RuleTree } from "./rule-tree.js";

export interface CompiledRules {
  readonly tree: RuleTree;
  readonly groups: readonly GroupPlan[];
  readonly cc: CompileCtx;
  /**
   * By group id: the group reads neither input nor base data, calls no clock-dependent builtin and
   * uses no `with` or print, and neither do the groups it reads. Its value (or a function's value
   * for given arguments) is the same in every evaluation, so it may be remembered across them.
   */
  readonly pure: readonly boolean[];
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
  const tree = buildTree(modules);
  const functions = new Map<string, number>();
  for (const g of tree.groups) if (g.callable) functions.set(g.path.join("."), g.arity);
  const deps: Set<number>[] = tree.groups.map(() => new Set());
  const constants = staticConstants(tree);
  const impure = new Set<number>();
  const tracker: Tracker = { current: undefined, id: -1, impure };
  const cc = compileCtx(tree, constants, tracker);
  const envs = modules.map((m) => moduleEnv(m, tree, functions));
  const constantAt: ConstantAt = (path) => {
    const t = resolveData(tree, path);
    return t.kind === "group" && t.depth === path.length ? constants.get(t.id) : undefined;
  };
  const groups = tree.groups.map((g) => {
    tracker.current = deps[g.id];
    tracker.id = g.id;
    return compileGroup(g, envs, cc, constantAt);
  });
  tracker.current = undefined;
  tracker.id = -1;
  checkRecursion(groups, deps);
  const packages = [...new Set(modules.map((m) => m.pkg.join(".")))].sort();
  return { tree, groups, cc, pure: purity(groups.length, deps, impure), functions, packages };
}

/** What the compiler services record about the group being compiled (`id` -1: a query). */
interface Tracker {
  current: Set<number> | undefined;
  id: number;
  readonly impure: Set<number>;
}

/** A group is pure when it is not impure itself and reads only pure groups (the graph is acyclic). */
function purity(n: number, deps: readonly Set<number>[], impure: ReadonlySet<number>): boolean[] {
  const memo = new Array<boolean | undefined>(n);
  const pure = (id: number): boolean => {
    const known = memo[id];
    if (known !== undefined) return known;
    memo[id] = false;
    let ok = !impure.has(id);
    for (const d of deps[id] ?? []) if (ok && !pure(d)) ok = false;
    memo[id] = ok;
    return ok;
  };
  return Array.from({ length: n }, (_, id) => pure(id));
}

function buildTree(modules: readonly Module[]): RuleTree {
  const tree = new RuleTree();
  for (const [index, m] of modules.entries()) {
    // Packages are documents even when they define no rules (`data.pkg` is then `{}`).
    for (let i = 0; i <= m.pkg.length; i++) tree.node(m.pkg.slice(0, i)).hasRules = true;
    for (const r of m.rules) tree.add(m.pkg, r, index);
  }
  tree.checkNesting();
  return tree;
}

/** Groups that are one bodiless definition with a literal value: read without evaluation. */
function staticConstants(tree: RuleTree): Map<number, Value> {
  const constants = new Map<number, Value>();
  for (const g of tree.groups) {
    const only = g.defs[0];
    if (g.kind !== "complete" || g.defs.length !== 1 || g.defaults.length > 0 || !only) continue;
    const r = only.rule;
    const v = r.body.length === 0 && r.elses.length === 0 && r.value ? literalValue(r.value) : undefined;
    if (v !== undefined) constants.set(g.id, v);
  }
  return constants;
}

/** The compiler services; every group or function a definition reads is recorded in `tracker`. */
function compileCtx(tree: RuleTree, constants: ReadonlyMap<number, Value>, tracker: Tracker): CompileCtx {
  const cc: CompileCtx = {
    builtins: BUILTINS,
    resolveData: (path) => {
      const t = resolveData(tree, path);
      const deps = tracker.current;
      if (deps && t.kind === "group") deps.add(t.id);
      if (deps && t.kind === "node") for (const [id] of groupsUnder(tree, path)) deps.add(id);
      // A node's document merges base data in; base data is per evaluation.
      if (t.kind !== "group" && tracker.id >= 0) tracker.impure.add(tracker.id);
      return t;
    },
    noteImpure: () => {
      if (tracker.id >= 0) tracker.impure.add(tracker.id);
    },
    groupsUnder: (path) => groupsUnder(tree, path),
    groupConstant: (id) => constants.get(id),
    functionGroup: (path) => {
      const n = tree.node(path);
      if (!n.group)
        throw new RegoCompileError([{ file: "", line: 0, col: 0, message: `unknown function ${path.join(".")}` }]);
      tracker.current?.add(n.group.id);
      return n.group.id;
    },
    names: [],
    body: (b: IRBody, bound: Slots) => compileBody(b, bound, cc, cc.names),
  };
  return cc;
}

function compileGroup(g: GroupSource, envs: readonly ModuleEnv[], cc: CompileCtx, constantAt: ConstantAt): GroupPlan {
  const compile = (src: RuleSource): DefPlan =>
    compileDef(src.rule, src.keys, new Resolver(envs[src.moduleIndex] as ModuleEnv), cc);
  const defs = g.defs.map(compile);
  const defaultSrc = g.defaults[0];
  const consts = defs.map((d) => d.constValue);
  const name = `data.${g.path.join(".")}`;
  const defaultDef = defaultSrc ? compile(defaultSrc) : undefined;
  return {
    id: g.id,
    name,
    kind: g.kind,
    multi: g.multi,
    defs,
    defaultDef,
    runs: defs.map((d) => defRunner(d, name)),
    runDefault: defaultDef ? defRunner(defaultDef, name) : undefined,
    sameConst: consts.length > 0 && consts.every((v) => v !== undefined && v === consts[0]),
    candidates: g.kind === "function" ? undefined : buildIndex(defs, constantAt),
  };
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
