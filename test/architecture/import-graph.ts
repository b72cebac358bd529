import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** One `import`/`export … from`/`import()` of a source file by another, as paths relative to the repo root. */
export interface ImportEdge {
  from: string;
  to: string;
}

/** `from "./x.js"`, `import("./x.js")` and `import "./x.js"`: every way a module names another. */
const SPECIFIER = /\bfrom\s*"(\.[^"]+)"|\bimport\s*\(\s*"(\.[^"]+)"\s*\)|^\s*import\s*"(\.[^"]+)"/gm;
/** Block comments and whole-line `//` comments, which may quote import statements in prose. */
const COMMENTS = /\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm;

/** Every relative import between non-test TypeScript files under `srcDir` (type-only imports included). */
export function importGraph(root: string, srcDir = "src"): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of sourceFiles(join(root, srcDir))) {
    const source = readFileSync(file, "utf8").replace(COMMENTS, "");
    for (const m of source.matchAll(SPECIFIER)) {
      const specifier = m[1] ?? m[2] ?? m[3] ?? "";
      const target = resolve(dirname(file), specifier).replace(/\.js$/, ".ts");
      edges.push({ from: relative(root, file), to: relative(root, target) });
    }
  }
  return edges;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * The architectural unit a file belongs to: `core`, `platform`, `rego` (the engine, a unit of its
 * own inside policy), a feature folder (`auth`, `policy`, …), or `root` for the composition roots
 * (`src/*.ts` and the CLI) that wire features together.
 */
export function unitOf(path: string): string {
  const parts = path.split("/");
  if (parts[0] !== "src" || parts.length === 2) return "root";
  if (parts[1] === "policy" && parts[2] === "rego") return "rego";
  if (parts[1] === "cli") return "root";
  return parts[1] ?? "root";
}

const SHARED = new Set(["core", "platform"]);

/**
 * The dependency rules of docs/ARCHITECTURE.md, as messages naming each offending import:
 * core imports nothing else; platform only core; the Rego engine only itself; a feature only
 * itself, core and platform (what it needs from another feature arrives through its deps object).
 */
export function violations(edges: readonly ImportEdge[]): string[] {
  const found: string[] = [];
  for (const { from, to } of edges) {
    const a = unitOf(from);
    const b = unitOf(to);
    if (a === b || a === "root") continue;
    const allowed =
      a === "core"
        ? false
        : a === "platform"
          ? b === "core"
          : a === "rego"
            ? false
            : SHARED.has(b) || (a === "policy" && b === "rego");
    if (!allowed) found.push(`${from} imports ${to} (${a} → ${b})`);
  }
  return found;
}

/** Import cycles between files (strongly connected components of more than one file). */
export function cycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  // Tarjan's algorithm, iterative so a long import chain cannot overflow the call stack.
  for (const start of next.keys()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; i: number }> = [{ node: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; i: number };
      const children = next.get(frame.node) ?? [];
      if (frame.i < children.length) {
        const child = children[frame.i++] as string;
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, i: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(child) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        if (component.length > 1) found.push(component.sort());
      }
    }
  }
  return found;
}
