/** Terms, expressions and query bodies. Operator precedence follows OPA's parser. */
import type { Location } from "../errors.js";
import type { BinOp, Body, Literal, Term, WithMod } from "./ast.js";
import type { Token } from "./lexer.js";
import { KEYWORDS, type ParserState } from "./parser-state.js";

const RELATION: readonly string[] = ["==", "!=", "<", "<=", ">", ">="];

/** Full expression: relations and `in` membership (`x in xs`). */
export function parseExpr(p: ParserState): Term {
  p.nest();
  let term = parseRelation(p);
  if (p.isWord("in")) {
    const loc = p.loc();
    p.next();
    const coll = parseRelation(p);
    term = { t: "in", key: undefined, value: term, coll, loc };
  }
  p.depth--;
  return term;
}

function parseRelation(p: ParserState): Term {
  let left = parseOr(p);
  // A chain of operators builds a tree as deep as it is long.
  let chain = 0;
  while (p.peek().kind === "punct" && RELATION.includes(p.peek().text)) {
    p.nest(++chain);
    const loc = p.loc();
    const op = p.next().text as BinOp;
    left = { t: "binop", op, l: left, r: parseOr(p), loc };
  }
  return left;
}

function parseOr(p: ParserState): Term {
  let left = parseAnd(p);
  let chain = 0;
  while (p.allowPipe && p.isPunct("|")) {
    p.nest(++chain);
    const loc = p.loc();
    p.next();
    left = { t: "binop", op: "|", l: left, r: parseAnd(p), loc };
  }
  return left;
}

function parseAnd(p: ParserState): Term {
  let left = parseArith(p);
  let chain = 0;
  while (p.isPunct("&")) {
    p.nest(++chain);
    const loc = p.loc();
    p.next();
    left = { t: "binop", op: "&", l: left, r: parseArith(p), loc };
  }
  return left;
}

function parseArith(p: ParserState): Term {
  let left = parseFactor(p);
  let chain = 0;
  while (p.isPunct("+") || p.isPunct("-")) {
    p.nest(++chain);
    const loc = p.loc();
    const op = p.next().text as BinOp;
    left = { t: "binop", op, l: left, r: parseFactor(p), loc };
  }
  return left;
}

function parseFactor(p: ParserState): Term {
  let left = parseUnary(p);
  let chain = 0;
  while (p.isPunct("*") || p.isPunct("/") || p.isPunct("%")) {
    p.nest(++chain);
    const loc = p.loc();
    const op = p.next().text as BinOp;
    left = { t: "binop", op, l: left, r: parseUnary(p), loc };
  }
  return left;
}

function parseUnary(p: ParserState): Term {
  if (p.isPunct("-")) {
    // As in regorus and OPA's grammar, `-` only negates numeric literals (`- x` is rejected).
    const loc = p.loc();
    p.next();
    const num = p.peek();
    if (num.kind !== "number") p.failAt(loc, "unary - can only be used with numeric literals");
    p.next();
    return parseSuffixes(p, { t: "scalar", v: -Number(num.text), loc }, num);
  }
  return parsePostfix(p);
}

/** A primary term followed by `.field`, `[key]` and call suffixes. */
export function parsePostfix(p: ParserState): Term {
  const start = p.peek();
  return parseSuffixes(p, parsePrimary(p), start);
}

function parseSuffixes(p: ParserState, first: Term, start: Token): Term {
  let term = first;
  const path: Term[] = [];
  for (;;) {
    const t = p.peek();
    if (t.kind === "punct" && t.text === "." && !t.nl) {
      p.next();
      const name = p.peek();
      if (name.kind !== "ident") p.fail("expecting field name after `.`");
      if (name.nl) p.fail("invalid whitespace between . and identifier");
      p.next();
      path.push({ t: "scalar", v: name.text, loc: p.loc(name) });
    } else if (t.kind === "punct" && t.text === "[" && !t.nl) {
      p.next();
      path.push(withPipe(p, true, () => parseExpr(p)));
      p.expectPunct("]");
    } else if (t.kind === "punct" && t.text === "(" && !t.nl && isCallable(term, path)) {
      term = parseCall(p, callName(term, path), p.loc(start));
      path.length = 0;
    } else break;
  }
  return path.length === 0 ? term : { t: "ref", head: term, path, loc: p.loc(start) };
}

function isCallable(head: Term, path: readonly Term[]): boolean {
  return head.t === "var" && path.every((s) => s.t === "scalar" && typeof s.v === "string");
}

function callName(head: Term, path: readonly Term[]): string[] {
  const name = head.t === "var" ? [head.name] : [];
  for (const s of path) if (s.t === "scalar") name.push(String(s.v));
  return name;
}

function parseCall(p: ParserState, fn: string[], loc: Location): Term {
  p.expectPunct("(");
  const args: Term[] = [];
  withPipe(p, true, () => {
    while (!p.isPunct(")")) {
      args.push(parseExpr(p));
      if (!p.eatPunct(",")) break;
    }
  });
  p.expectPunct(")");
  return { t: "call", fn, args, loc };
}

function withPipe<T>(p: ParserState, allow: boolean, f: () => T): T {
  const saved = p.allowPipe;
  p.allowPipe = allow;
  try {
    return f();
  } finally {
    p.allowPipe = saved;
  }
}

function parsePrimary(p: ParserState): Term {
  const t = p.peek();
  const loc = p.loc(t);
  if (t.kind === "number") {
    p.next();
    return { t: "scalar", v: Number(t.text), loc };
  }
  if (t.kind === "string") {
    p.next();
    return { t: "scalar", v: t.str ?? "", loc };
  }
  if (t.kind === "ident") return parseWord(p);
  if (t.kind === "punct") {
    if (t.text === "(") {
      p.next();
      const inner = withPipe(p, true, () => parseExpr(p));
      p.expectPunct(")");
      return inner;
    }
    if (t.text === "[") return parseArray(p);
    if (t.text === "{") return parseBrace(p);
  }
  return p.fail("unexpected token");
}

function parseWord(p: ParserState): Term {
  const t = p.next();
  const loc = p.loc(t);
  switch (t.text) {
    case "true":
      return { t: "scalar", v: true, loc };
    case "false":
      return { t: "scalar", v: false, loc };
    case "null":
      return { t: "scalar", v: null, loc };
    case "set":
      if (p.isPunct("(") && p.isPunct(")", 1)) {
        p.next();
        p.next();
        return { t: "set", items: [], loc };
      }
      return { t: "var", name: "set", loc };
    case "_":
      return { t: "var", name: p.fresh(), loc };
  }
  // `contains` doubles as a builtin name: `contains(s, x)`.
  if (KEYWORDS.has(t.text) && !(t.text === "contains" && p.isPunct("("))) p.fail(`unexpected keyword \`${t.text}\``, t);
  return { t: "var", name: t.text, loc };
}

function parseArray(p: ParserState): Term {
  const loc = p.loc(p.next());
  if (p.eatPunct("]")) return { t: "array", items: [], loc };
  const first = withPipe(p, false, () => parseExpr(p));
  if (p.eatPunct("|")) {
    const body = parseBody(p, "]");
    p.expectPunct("]");
    return { t: "arraycompr", term: first, body, loc };
  }
  const items = [first, ...parseRest(p, "]")];
  return { t: "array", items, loc };
}

function parseRest(p: ParserState, close: string): Term[] {
  const items: Term[] = [];
  withPipe(p, true, () => {
    while (p.eatPunct(",")) {
      if (p.isPunct(close)) break;
      items.push(parseExpr(p));
    }
  });
  p.expectPunct(close);
  return items;
}

function parseBrace(p: ParserState): Term {
  const loc = p.loc(p.next());
  if (p.eatPunct("}")) return { t: "object", entries: [], loc };
  const first = withPipe(p, false, () => parseExpr(p));
  if (p.eatPunct("|")) {
    const body = parseBody(p, "}");
    p.expectPunct("}");
    return { t: "setcompr", term: first, body, loc };
  }
  if (!p.eatPunct(":")) return { t: "set", items: [first, ...parseRest(p, "}")], loc };
  const value = withPipe(p, false, () => parseExpr(p));
  if (p.eatPunct("|")) {
    const body = parseBody(p, "}");
    p.expectPunct("}");
    return { t: "objcompr", key: first, value, body, loc };
  }
  const entries: [Term, Term][] = [[first, value]];
  withPipe(p, true, () => {
    while (p.eatPunct(",")) {
      if (p.isPunct("}")) break;
      const k = parseExpr(p);
      p.expectPunct(":");
      entries.push([k, parseExpr(p)]);
    }
  });
  p.expectPunct("}");
  return { t: "object", entries, loc };
}

/** Literals separated by `;` or newlines, up to (not including) the `close` punctuation. */
export function parseBody(p: ParserState, close: string): Body {
  return withPipe(p, true, () => {
    const lits: Literal[] = [];
    while (!p.isPunct(close)) {
      if (p.peek().kind === "eof") p.fail(`expecting \`${close}\``);
      lits.push(parseLiteral(p));
      if (p.eatPunct(";")) continue;
      if (!p.isPunct(close) && !p.peek().nl) p.fail("expecting `;` or newline between expressions");
    }
    if (lits.length === 0) p.fail("empty body");
    return lits;
  });
}

/** One literal: an expression (optionally negated, with `with` modifiers), `some` or `every`. */
export function parseLiteral(p: ParserState): Literal {
  const loc = p.loc();
  if (p.eatWord("some")) return parseSome(p, loc);
  if (p.eatWord("every")) return parseEvery(p, loc);
  const negated = p.eatWord("not");
  let l = parseExpr(p);
  if (p.isPunct(",") && !negated) {
    p.next();
    const value = parseRelation(p);
    if (!p.isWord("in")) p.fail("expecting `in`");
    const inLoc = p.loc(p.next());
    l = { t: "in", key: l, value, coll: parseRelation(p), loc: inLoc };
  }
  let op: "=" | ":=" | undefined;
  let r: Term | undefined;
  if (p.isPunct("=") || p.isPunct(":=")) {
    op = p.next().text as "=" | ":=";
    r = parseExpr(p);
  }
  return { kind: "expr", op, l, r, negated, withs: parseWiths(p), loc };
}

function parseWiths(p: ParserState): WithMod[] {
  const withs: WithMod[] = [];
  while (p.isWord("with")) {
    const loc = p.loc(p.next());
    const target = parsePostfix(p);
    if (!p.eatWord("as")) p.fail("expecting `as`");
    withs.push({ target, value: parseExpr(p), loc });
  }
  return withs;
}

function parseSome(p: ParserState, loc: Location): Literal {
  const terms: Term[] = [parseRelation(p)];
  while (p.eatPunct(",")) terms.push(parseRelation(p));
  if (p.eatWord("in")) {
    if (terms.length > 2) p.failAt(loc, "too many terms before `in`");
    const coll = parseRelation(p);
    const [a, b] = terms;
    const value = (b ?? a) as Term;
    return { kind: "somein", key: b ? a : undefined, value, coll, withs: parseWiths(p), loc };
  }
  for (const v of terms) if (v.t !== "var") p.failAt(v.loc, "expecting variable after `some`");
  return { kind: "some", vars: terms, loc };
}

function parseEvery(p: ParserState, loc: Location): Literal {
  const first = parseRelation(p);
  let key: Term | undefined;
  let value = first;
  if (p.eatPunct(",")) {
    key = first;
    value = parseRelation(p);
  }
  if (!p.eatWord("in")) p.fail("expecting `in`");
  const coll = parseRelation(p);
  p.expectPunct("{");
  const body = parseBody(p, "}");
  p.expectPunct("}");
  return { kind: "every", key, value, coll, body, withs: parseWiths(p), loc };
}
