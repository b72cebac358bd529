/** The tree of data paths that rules define, and the grouping of rule definitions by path. */
import { type Location, RegoCompileError } from "../errors.js";
import type { Rule, Term } from "../syntax/ast.js";

export type GroupKind = "complete" | "object" | "set" | "function";

/** One rule definition as placed in the tree (before compilation). */
export interface RuleSource {
  readonly rule: Rule;
  readonly moduleIndex: number;
  /** Head terms after the group's constant path (object-style keys). */
  readonly keys: readonly Term[];
}

export interface GroupSource {
  readonly id: number;
  readonly path: readonly string[];
  readonly kind: GroupKind;
  readonly defs: RuleSource[];
  readonly defaults: RuleSource[];
  readonly arity: number;
  /** Defined with parentheses (a function, possibly of zero arguments). */
  readonly callable: boolean;
  /** Ref-head `contains` rule: an object whose leaves are sets. */
  readonly multi: boolean;
}

export interface TreeNode {
  readonly id: number;
  readonly path: readonly string[];
  readonly children: Map<string, TreeNode>;
  group: GroupSource | undefined;
  /** Some group lives at or below this node. */
  hasRules: boolean;
}

export class RuleTree {
  readonly nodes: TreeNode[] = [];
  readonly groups: GroupSource[] = [];
  readonly root: TreeNode;

  constructor() {
    this.root = this.newNode([]);
  }

  private newNode(path: readonly string[]): TreeNode {
    const n: TreeNode = { id: this.nodes.length, path, children: new Map(), group: undefined, hasRules: false };
    this.nodes.push(n);
    return n;
  }

  /** Ensures nodes exist along `path` (packages are nodes even without rules). */
  node(path: readonly string[]): TreeNode {
    let n = this.root;
    for (const key of path) {
      let next = n.children.get(key);
      if (!next) {
        next = this.newNode([...n.path, key]);
        n.children.set(key, next);
      }
      n = next;
    }
    return n;
  }

  add(pkg: readonly string[], rule: Rule, moduleIndex: number): void {
    const { path, keys } = splitHead(rule.head);
    const full = [...pkg, ...path];
    // `f()` takes no arguments: OPA materialises it as a complete document that can also be called.
    const zeroArg = rule.kind === "function" && (rule.args?.length ?? 0) === 0;
    const kind: GroupKind =
      rule.kind === "function" && !zeroArg
        ? "function"
        : rule.kind === "set" && keys.length === 0
          ? "set"
          : keys.length > 0
            ? "object"
            : "complete";
    const node = this.node(full);
    let g = node.group;
    if (!g) {
      const arity = rule.args?.length ?? 0;
      const multi = rule.kind === "set";
      g = {
        id: this.groups.length,
        path: full,
        kind,
        defs: [],
        defaults: [],
        arity,
        callable: rule.args !== undefined,
        multi,
      };
      this.groups.push(g);
      node.group = g;
      for (let i = 0; i <= full.length; i++) this.node(full.slice(0, i)).hasRules = true;
    } else if (g.kind !== kind) {
      conflict(rule.loc, full);
    } else if (kind === "function" && g.arity !== (rule.args?.length ?? 0)) {
      throw RegoCompileError.at(rule.loc, `function data.${full.join(".")} has conflicting arities`);
    }
    (rule.isDefault ? g.defaults : g.defs).push({ rule, moduleIndex, keys });
    if (rule.isDefault && g.defaults.length > 1) {
      throw RegoCompileError.at(rule.loc, `multiple default rules data.${full.join(".")} found`);
    }
  }

  /** Rejects a value rule that also has rules beneath it (e.g. `p := 1` and `p.q := 2`). */
  checkNesting(): void {
    for (const g of this.groups) {
      const n = this.node(g.path);
      if (g.kind === "complete" && n.children.size > 0) {
        const loc = (g.defs[0] ?? g.defaults[0])?.rule.loc;
        if (loc) conflict(loc, g.path);
      }
    }
  }
}

function conflict(loc: Location, path: readonly string[]): never {
  throw RegoCompileError.at(loc, `rule data.${path.join(".")} conflicts with the following rule`);
}

/** `a.b["c"][x].d` → constant path `[a, b, c]` and keys `[x, "d"]`. */
function splitHead(head: readonly Term[]): { path: string[]; keys: Term[] } {
  const path: string[] = [];
  let i = 0;
  for (; i < head.length; i++) {
    const t = head[i] as Term;
    if (i === 0 && t.t === "var") path.push(t.name);
    else if (i > 0 && t.t === "scalar" && typeof t.v === "string") path.push(t.v);
    else break;
  }
  return { path, keys: head.slice(i) };
}
