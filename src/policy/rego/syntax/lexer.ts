/** Tokenizer for Rego source. Newlines are not tokens; each token records whether one preceded it. */
import { RegoCompileError } from "../errors.js";

export type TokenKind = "ident" | "string" | "number" | "punct" | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, punctuation text, or the raw source of a number. */
  readonly text: string;
  /** Decoded value of a string literal. */
  readonly str?: string;
  readonly line: number;
  readonly col: number;
  /** A newline separates this token from the previous one (Rego's literal separator). */
  readonly nl: boolean;
}

const PUNCT2 = [":=", "==", "!=", "<=", ">="];
const PUNCT1 = "{}[]().,;:=<>+-*/%|&!";

function isIdentStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
}
function isIdentPart(c: string): boolean {
  return isIdentStart(c) || (c >= "0" && c <= "9");
}
function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

/** Splits `source` into tokens; throws RegoCompileError with the position of the first bad character. */
export function tokenize(source: string, file: string): Token[] {
  const lx = new Lexer(source, file);
  while (lx.i < source.length) lx.step();
  lx.out.push({ kind: "eof", text: "<eof>", line: lx.line, col: lx.i - lx.lineStart + 1, nl: true });
  return lx.out;
}

class Lexer {
  readonly out: Token[] = [];
  i = 0;
  line = 1;
  lineStart = 0;
  private nl = true;

  constructor(
    private readonly src: string,
    private readonly file: string,
  ) {}

  fail(msg: string, at: number): never {
    throw RegoCompileError.at({ file: this.file, line: this.line, col: at - this.lineStart + 1 }, msg);
  }

  private push(kind: TokenKind, start: number, end: number, str?: string): void {
    const tok: Token = {
      kind,
      text: this.src.slice(start, end),
      line: this.line,
      col: start - this.lineStart + 1,
      nl: this.nl,
    };
    this.out.push(str === undefined ? tok : { ...tok, str });
    this.nl = false;
    this.i = end;
  }

  /** Consumes one token or one piece of whitespace/comment. */
  step(): void {
    const { src, i } = this;
    const c = src[i] as string;
    if (c === "\n") {
      this.i++;
      this.line++;
      this.lineStart = this.i;
      this.nl = true;
    } else if (c === " " || c === "\t" || c === "\r") {
      this.i++;
    } else if (c === "#") {
      const end = src.indexOf("\n", i);
      this.i = end < 0 ? src.length : end;
    } else if (isIdentStart(c)) {
      let end = i;
      while (end < src.length && isIdentPart(src[end] as string)) end++;
      this.push("ident", i, end);
    } else if (isDigit(c)) {
      this.push("number", i, scanNumber(src, i));
    } else if (c === '"') {
      const end = scanString(src, i, (m, at) => this.fail(m, at));
      this.push(
        "string",
        i,
        end,
        decodeString(src.slice(i, end), () => this.fail("invalid string escape", i)),
      );
    } else if (c === "`") {
      this.rawString();
    } else {
      this.punct(c);
    }
  }

  private rawString(): void {
    const start = this.i;
    const end = this.src.indexOf("`", start + 1);
    if (end < 0) this.fail("unterminated raw string", start);
    const text = this.src.slice(start + 1, end);
    this.push("string", start, end + 1, text);
    // Raw strings may span lines; keep line/col tracking right.
    for (const ch of text) if (ch === "\n") this.line++;
    const lastNl = text.lastIndexOf("\n");
    if (lastNl >= 0) this.lineStart = start + 1 + lastNl + 1;
  }

  private punct(c: string): void {
    const i = this.i;
    if (PUNCT2.includes(this.src.slice(i, i + 2))) this.push("punct", i, i + 2);
    else if (PUNCT1.includes(c)) this.push("punct", i, i + 1);
    else this.fail(`unexpected character ${JSON.stringify(c)}`, i);
  }
}

function scanNumber(s: string, start: number): number {
  let i = start;
  while (isDigit(s[i] ?? "")) i++;
  if (s[i] === "." && isDigit(s[i + 1] ?? "")) {
    i++;
    while (isDigit(s[i] ?? "")) i++;
  }
  if (s[i] === "e" || s[i] === "E") {
    let j = i + 1;
    if (s[j] === "+" || s[j] === "-") j++;
    if (isDigit(s[j] ?? "")) {
      i = j;
      while (isDigit(s[i] ?? "")) i++;
    }
  }
  return i;
}

function scanString(s: string, start: number, fail: (m: string, at: number) => never): number {
  let i = start + 1;
  while (i < s.length) {
    const c = s[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else if (c === "\n") break;
    else i++;
  }
  return fail("unterminated string", start);
}

/** Rego strings use JSON escapes, so JSON.parse decodes them exactly. */
function decodeString(raw: string, onError: () => never): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return onError();
  }
}
