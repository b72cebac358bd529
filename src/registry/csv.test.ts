import { describe, expect, it } from "vitest";
import { csvField, csvRow } from "./csv.js";

describe("csv", () => {
  it("leaves plain fields alone and renders null as empty", () => {
    expect(csvRow(["a", 1, null, undefined, "b c"])).toBe("a,1,,,b c\r\n");
  });

  it("quotes commas, quotes and line breaks, doubling quotes (RFC 4180)", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line1\nline2")).toBe('"line1\nline2"');
    expect(csvField("cr\rlf")).toBe('"cr\rlf"');
  });

  it("defuses spreadsheet formulas", () => {
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("-x")).toBe("'-x");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("=a,b")).toBe('"\'=a,b"');
    expect(csvField(-1)).toBe("-1");
  });
});
