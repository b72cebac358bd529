import { describe, expect, it } from "vitest";
import { PIECE_MAX_CHARS, textPieces } from "./text-pieces.js";

describe("textPieces", () => {
  it("joins whole lines into pieces within the limit, keeping every character in order", () => {
    const lines = Array.from({ length: 500 }, (_, i) => `${"x".repeat(700 + (i % 13))}${i}\n`);
    const pieces = [...textPieces(lines)];
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(lines.join(""));
    for (const piece of pieces) {
      expect(piece.length).toBeLessThanOrEqual(PIECE_MAX_CHARS);
      expect(piece.endsWith("\n")).toBe(true);
    }
    // Greedy: a piece ends only where the next line would not fit.
    const first = pieces[0] ?? "";
    const next = lines[first.split("\n").length - 1] ?? "";
    expect(first.length + next.length).toBeGreaterThan(PIECE_MAX_CHARS);
  });

  it("gives a line longer than the limit a piece of its own", () => {
    const long = `${"y".repeat(PIECE_MAX_CHARS + 10)}\n`;
    expect([...textPieces(["a\n", long, "b\n"])]).toEqual(["a\n", long, "b\n"]);
  });

  it("yields nothing for no lines", () => {
    expect([...textPieces([])]).toEqual([]);
  });
});
