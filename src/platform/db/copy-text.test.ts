import { describe, expect, it } from "vitest";
import { copyFields } from "./copy-text.js";

describe("copyFields (COPY text format)", () => {
  it("separates fields by tabs and writes NULL as \\N", () => {
    expect(copyFields(["a", null, ""])).toBe("a\t\\N\t");
  });

  it("escapes backslash, tab, newline and carriage return, and nothing else", () => {
    expect(copyFields(["\\N", "a\tb\nc\rd\\", "\u0001\u202e😀\"'"])).toBe(
      "\\\\N\ta\\tb\\nc\\rd\\\\\t\u0001\u202e😀\"'",
    );
  });
});
