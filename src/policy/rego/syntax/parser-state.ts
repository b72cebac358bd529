/** Token cursor shared by the module and term parsers. */
import { type Location, RegoCompileError } from "../errors.js";
import type { Token } from "./lexer.js";

/** Words that cannot be variable names (they may still be field names after a dot). */
export const KEYWORDS = new Set([
  "not",
  "some",
  "every",
  "in",
  "if",
  "contains",
  "else",
  "default",
  "with",
  "as",
  "import",
  "package",
  "true",
  "false",
  "null",
]);

/**
 * Deepest nesting of expressions a module may have (parentheses, collections, calls, chains of
 * binary operators). The parser and the compiler recurse over it; 5,000 nested brackets would
 * overflow the stack, so past this a module is refused with a diagnostic.
 */
export const MAX_NESTING = 256;

export class ParserState {
  pos = 0;
  /** Current expression nesting (see `MAX_NESTING`). */
  depth = 0;
  /** False while parsing the first element of a collection, where `|` starts a comprehension. */
  allowPipe = true;
  /** Counts generated variable names (`_` wildcards and rewritten terms). */
  private gensym = 0;

  constructor(
    readonly tokens: readonly Token[],
    readonly file: string,
  ) {}

  peek(offset = 0): Token {
    const t = this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
    if (t === undefined) throw new Error("empty token stream");
    return t;
  }

  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  loc(t: Token = this.peek()): Location {
    return { file: this.file, line: t.line, col: t.col };
  }

  isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === "punct" && t.text === text;
  }

  isWord(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === "ident" && t.text === text;
  }

  eatPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.next();
    return true;
  }

  eatWord(text: string): boolean {
    if (!this.isWord(text)) return false;
    this.next();
    return true;
  }

  expectPunct(text: string): Token {
    if (!this.isPunct(text)) this.fail(`expecting \`${text}\``);
    return this.next();
  }

  fail(message: string, t: Token = this.peek()): never {
    const found = t.kind === "eof" ? "end of file" : `\`${t.text}\``;
    throw RegoCompileError.at(this.loc(t), `${message} (found ${found})`);
  }

  failAt(loc: Location, message: string): never {
    throw RegoCompileError.at(loc, message);
  }

  /** Enters one level of nesting at the current token (`extra`: operators chained at this level). */
  nest(extra = 0): void {
    if (this.depth + extra >= MAX_NESTING) {
      this.fail(`expression nested too deeply (more than ${MAX_NESTING} levels)`);
    }
    if (extra === 0) this.depth++;
  }

  fresh(prefix = "_"): string {
    this.gensym++;
    return `${prefix}$${this.gensym}`;
  }
}
