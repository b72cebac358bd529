/** Tokenizer for Rego source. Newlines are not tokens; each token records whether one preceded it. */
import { RegoCompileError } from "./errors.js";

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
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  let nl = true;
  const fail = (msg: string, at: number): never => {
    throw RegoCompileError.at({ file, line, col: at - lineStart + 1 }, msg);
  };
  const push = (kind: TokenKind, text: string, start: number, str?: string): void => {
    const tok: Token = { kind, text, line, col: start - lineStart + 1, nl };
    out.push(str === undefined ? tok : { ...tok, str });
    nl = false;
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
      nl = true;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "#") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (isIdentStart(c)) {
      const start = i;
      while (i < source.length && isIdentPart(source[i] as string)) i++;
      push("ident", source.slice(start, i), start);
    } else if (isDigit(c)) {
      const start = i;
      i = scanNumber(source, i);
      push("number", source.slice(start, i), start);
    } else if (c === '"') {
      const start = i;
      i = scanString(source, i, fail);
      const raw = source.slice(start, i);
      push(
        "string",
        raw,
        start,
        decodeString(raw, () => fail("invalid string escape", start)),
      );
    } else if (c === "`") {
      const start = i;
      const end = source.indexOf("`", i + 1);
      if (end < 0) fail("unterminated raw string", start);
      const text = source.slice(i + 1, end);
      push("string", source.slice(start, end + 1), start, text);
      // Raw strings may span lines; keep line/col tracking right.
      for (const ch of text) if (ch === "\n") line++;
      const lastNl = text.lastIndexOf("\n");
      if (lastNl >= 0) lineStart = i + 1 + lastNl + 1;
      i = end + 1;
    } else {
      const two = source.slice(i, i + 2);
      if (PUNCT2.includes(two)) {
        push("punct", two, i);
        i += 2;
      } else if (PUNCT1.includes(c)) {
        push("punct", c, i);
        i++;
      } else {
        fail(`unexpected character ${JSON.stringify(c)}`, i);
      }
    }
  }
  out.push({ kind: "eof", text: "<eof>", line, col: i - lineStart + 1, nl: true });
  return out;
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
