/** Module parser: package, imports and rules (Rego v0 and v1 syntax). */
import type { Location } from "../errors.js";
import type { Body, Import, Literal, Module, Rule, RuleBranch, Term } from "./ast.js";
import { tokenize } from "./lexer.js";
import { ParserState } from "./parser-state.js";
import { parseBody, parseExpr, parseLiteral, parsePostfix } from "./terms.js";

const IMPORT_ROOTS = new Set(["data", "input", "future", "rego"]);

/** Parses one module. Throws RegoCompileError with file:line:col on syntax errors. */
export function parseModule(source: string, file: string): Module {
  const p = new ParserState(tokenize(source, file), file);
  if (!p.eatWord("package")) p.fail("expecting `package`");
  const pkg = refToPath(p, parsePostfix(p));
  const imports: Import[] = [];
  let v1 = false;
  let future = false;
  while (p.isWord("import")) {
    const imp = parseImport(p);
    const root = imp.path[0];
    if (root === "rego") {
      if (v1 || future) p.failAt(imp.loc, "this import shadows previous import");
      v1 = true;
    } else if (root === "future") {
      if (v1) p.failAt(imp.loc, "this import shadows previous import");
      future = true;
    }
    imports.push(imp);
  }
  const rules: Rule[] = [];
  while (p.peek().kind !== "eof") rules.push(parseRule(p, v1));
  return { file, pkg, imports, rules, v1 };
}

/** Parses a query (the body of an ad-hoc evaluation). */
export function parseQuery(source: string, file = "query"): Body {
  const p = new ParserState(tokenize(source, file), file);
  const lits: Literal[] = [];
  while (p.peek().kind !== "eof") {
    lits.push(parseLiteral(p));
    if (!p.eatPunct(";") && p.peek().kind !== "eof" && !p.peek().nl) p.fail("expecting `;` or newline");
  }
  if (lits.length === 0) p.fail("empty query");
  return lits;
}

function refToPath(p: ParserState, t: Term): string[] {
  if (t.t === "var") return [t.name];
  if (t.t === "ref" && t.head.t === "var") {
    const out = [t.head.name];
    for (const s of t.path) {
      if (s.t !== "scalar" || typeof s.v !== "string") p.failAt(s.loc, "expecting a constant string path");
      out.push(s.v);
    }
    return out;
  }
  return p.failAt(t.loc, "expecting a reference");
}

function parseImport(p: ParserState): Import {
  const loc = p.loc(p.next());
  const path = refToPath(p, parsePostfix(p));
  if (!IMPORT_ROOTS.has(path[0] ?? "")) {
    p.failAt(loc, "import path must begin with one of: {data, future, input, rego}");
  }
  if (path[0] === "rego" && (path.length !== 2 || path[1] !== "v1")) p.failAt(loc, "invalid import, must be `rego.v1`");
  if (path[0] === "future" && path[1] !== "keywords") p.failAt(loc, "invalid import, must be `future.keywords`");
  let alias: string | undefined;
  if (p.eatWord("as")) {
    const t = p.next();
    if (t.kind !== "ident") p.fail("expecting alias name", t);
    alias = t.text;
  }
  return { path, alias, loc };
}

function headParts(p: ParserState, t: Term): { head: Term[]; args: readonly Term[] | undefined } {
  if (t.t === "call") {
    return { head: t.fn.map((s, i) => scalarOrVar(s, i, t.loc)), args: t.args };
  }
  if (t.t === "var") return { head: [t], args: undefined };
  if (t.t === "ref" && t.head.t === "var") return { head: [t.head, ...t.path], args: undefined };
  return p.failAt(t.loc, "invalid rule head");
}

function scalarOrVar(s: string, i: number, loc: Location): Term {
  return i === 0 ? { t: "var", name: s, loc } : { t: "scalar", v: s, loc };
}

function parseRule(p: ParserState, v1: boolean): Rule {
  const loc = p.loc();
  const isDefault = p.eatWord("default");
  const headTerm = parsePostfix(p);
  const endsWithBracket = p.tokens[p.pos - 1]?.text === "]";
  const { head, args } = headParts(p, headTerm);
  const name = head[0]?.t === "var" ? head[0].name : "";
  if (v1 && (name === "data" || name === "input")) p.failAt(loc, `${name} cannot be shadowed`);
  if (isDefault) return parseDefault(p, { head, args, loc });
  if (p.eatWord("contains")) {
    const value = parseExpr(p);
    const body = parseOptionalBody(p, v1);
    return { kind: "set", isDefault, head, args, value, body: body ?? [], elses: [], assign: false, loc };
  }
  let assign = false;
  let value: Term | undefined;
  if (p.isPunct("=") || p.isPunct(":=")) {
    assign = p.next().text === ":=";
    value = parseExpr(p);
  }
  const usedIf = p.isWord("if");
  const body = parseOptionalBody(p, v1);
  if (body === undefined && value === undefined) {
    if (v1 && head.length > 1 && args === undefined)
      p.failAt(loc, "`contains` keyword is required for partial set rules");
    p.failAt(loc, "rule must have a body or assignment");
  }
  const elses = parseElses(p, v1);
  if (args !== undefined) {
    return { kind: "function", isDefault, head, args, value, body: body ?? [], elses, assign, loc };
  }
  // v0: `p[x] { … }` and `p.x { … }` (without `if`) are partial set rules.
  if (!v1 && value === undefined && head.length === 2 && (endsWithBracket || !usedIf)) {
    return {
      kind: "set",
      isDefault,
      head: [head[0] as Term],
      args,
      value: head[1],
      body: body ?? [],
      elses,
      assign,
      loc,
    };
  }
  return { kind: "complete", isDefault, head, args, value, body: body ?? [], elses, assign, loc };
}

function parseDefault(p: ParserState, r: { head: Term[]; args: readonly Term[] | undefined; loc: Location }): Rule {
  let assign = false;
  if (p.isPunct("=") || p.isPunct(":=")) assign = p.next().text === ":=";
  else p.fail("expecting `:=` or `=` after default rule head");
  const value = parseExpr(p);
  checkDefaultValue(p, value);
  const kind = r.args ? "function" : "complete";
  return { kind, isDefault: true, head: r.head, args: r.args, value, body: [], elses: [], assign, loc: r.loc };
}

const NOT_CONSTANT: Partial<Record<Term["t"], string>> = { var: "var", ref: "ref", call: "call" };

/** Default values must be constant: no variables, refs, calls or operators outside comprehensions. */
function checkDefaultValue(p: ParserState, t: Term): void {
  if (t.t === "array" || t.t === "set") {
    for (const x of t.items) checkDefaultValue(p, x);
  } else if (t.t === "object") {
    for (const [k, v] of t.entries) {
      checkDefaultValue(p, k);
      checkDefaultValue(p, v);
    }
  } else if (t.t === "in") {
    p.failAt(t.loc, "unexpected keyword `in` in default value");
  } else if (t.t === "binop") {
    p.failAt(t.loc, `invalid \`${binopKind(t.op)}\` in default value`);
  } else {
    const kind = NOT_CONSTANT[t.t];
    if (kind) p.failAt(t.loc, `invalid \`${kind}\` in default value`);
  }
}

function binopKind(op: string): string {
  if (op === "|" || op === "&") return "binexpr";
  if (["+", "-", "*", "/", "%"].includes(op)) return "arithexpr";
  return "boolexpr";
}

/** `if body`, `if literal`, or (v0) `{ body }`; undefined when the rule has no body. */
function parseOptionalBody(p: ParserState, v1: boolean): Body | undefined {
  if (p.eatWord("if")) {
    if (p.isPunct("{") && !looksLikeTermBrace(p)) return parseBraced(p);
    return [parseLiteral(p)];
  }
  if (p.isPunct("{") && !p.peek().nl) {
    if (v1) p.fail("`if` keyword is required before rule body");
    return parseBraced(p);
  }
  if (p.isPunct("{") && p.peek().nl && !v1) return parseBraced(p);
  return undefined;
}

/** `if {` followed by `}` would be an empty object, never a body; keep it simple otherwise. */
function looksLikeTermBrace(p: ParserState): boolean {
  return p.isPunct("}", 1);
}

function parseBraced(p: ParserState): Body {
  p.expectPunct("{");
  const body = parseBody(p, "}");
  p.expectPunct("}");
  return body;
}

function parseElses(p: ParserState, v1: boolean): RuleBranch[] {
  const out: RuleBranch[] = [];
  while (p.isWord("else")) {
    const loc = p.loc(p.next());
    let value: Term | undefined;
    if (p.eatPunct("=") || p.eatPunct(":=")) value = parseExpr(p);
    const body = parseOptionalBody(p, v1) ?? [];
    out.push({ value, body, loc });
  }
  return out;
}
