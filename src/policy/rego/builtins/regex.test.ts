import { describe, expect, it } from "vitest";
import { call } from "./test-helpers.js";
import { BuiltinError } from "./types.js";

describe("regex", () => {
  it("matches with RE2 syntax", () => {
    expect(call("regex.match", "^[a-z]+$", "abc")).toBe(true);
    expect(call("regex.match", "(?i)^ABC$", "abc")).toBe(true);
    expect(call("regex.match", "(?P<word>\\w+)", "x")).toBe(true);
    expect(call("regex.match", "^[[:alpha:]]+\\z", "abc")).toBe(true);
    expect(call("regex.match", "\\Aa.c\\z", "a.c")).toBe(true);
    expect(call("regex.match", "\\Qa.c\\E", "abc")).toBe(false);
    expect(call("regex.match", "^\\pL+$", "héllo")).toBe(true);
    expect(call("regex.match", "^a\\-b$", "a-b")).toBe(true);
    expect(() => call("regex.match", "(", "x")).toThrow(BuiltinError);
  });

  it("reports validity as RE2 does (nested quantifiers are valid: RE2 runs them in linear time)", () => {
    expect(call("regex.is_valid", "[a-")).toBe(false);
    expect(call("regex.is_valid", "(?U)a+")).toBe(true);
    expect(call("regex.is_valid", "(a+)+$")).toBe(true);
    expect(call("regex.is_valid", "^([a-z0-9]+\\.)+[a-z]+$")).toBe(true);
    expect(call("regex.is_valid", "(a)\\1")).toBe(false);
    expect(call("regex.is_valid", "(?=a)")).toBe(false);
    expect(call("regex.is_valid", "a{1001}")).toBe(false);
    expect(call("regex.is_valid", 5)).toBe(false);
  });

  it("matches catastrophic-backtracking shapes in linear time with the right answer", () => {
    const input = `${"a".repeat(28)}!`;
    const start = Date.now();
    for (const p of ["^((a+))+$", "^(a|a)+$", "^(a+)+$", "^(a*)*$", "^(a|aa)+$"]) {
      expect(call("regex.match", p, input)).toBe(false);
      expect(call("regex.match", p, "a".repeat(28))).toBe(true);
      expect(call("regex.find_n", p, input, -1)).toEqual([]);
      expect(call("regex.replace", input, p, "x")).toBe(input);
    }
    const long = `${"a".repeat(100_000)}!`;
    expect(call("regex.match", "^(a|a)+$", long)).toBe(false);
    // Not hung: JS's backtracking RegExp needs minutes for 28 characters; this is milliseconds.
    expect(Date.now() - start).toBeLessThan(5_000);
  });

  it("follows RE2 syntax where it differs from JS", () => {
    expect(call("regex.match", "a\\z", "a\n")).toBe(false);
    expect(call("regex.match", "a$", "a\n")).toBe(false);
    expect(call("regex.match", "(?m)a$", "a\nb")).toBe(true);
    expect(call("regex.match", "(?i)straße", "STRASSE")).toBe(false);
    expect(call("regex.match", "(?i)ǅ", "ǆ")).toBe(true);
    expect(call("regex.match", "^(?i:A)b$", "ab")).toBe(true);
    expect(call("regex.match", "^(?i:A)b$", "aB")).toBe(false);
    expect(call("regex.match", "^\\pL\\PL$", "é1")).toBe(true);
    expect(call("regex.match", "^\\p{Greek}+$", "αβγ")).toBe(true);
    expect(call("regex.match", "^[[:^digit:]]+$", "abc")).toBe(true);
    expect(call("regex.match", "(?s)^a.b$", "a\nb")).toBe(true);
    expect(call("regex.match", "^a.b$", "a\nb")).toBe(false);
    expect(call("regex.find_n", "(?U)a+", "aaa", -1)).toEqual(["a", "a", "a"]);
    expect(call("regex.match", "^\\x{41}\\141$", "Aa")).toBe(true);
    expect(() => call("regex.match", "(?<!a)b", "b")).toThrow(BuiltinError);
  });

  it("matches templates", () => {
    expect(call("regex.template_match", "urn:foo:{.*}", "urn:foo:bar:baz", "{", "}")).toBe(true);
    expect(call("regex.template_match", "urn:foo.com:{.*}", "urn:foo_com:bar", "{", "}")).toBe(false);
    expect(call("regex.template_match", "urn:foo:<[0-9]{2}>", "urn:foo:42", "<", ">")).toBe(true);
  });

  it("finds matches and submatches", () => {
    expect(call("regex.find_n", "a.", "paranormal", -1)).toEqual(["ar", "an", "al"]);
    expect(call("regex.find_n", "a.", "paranormal", 2)).toEqual(["ar", "an"]);
    expect(call("regex.find_all_string_submatch_n", "a(x*)b", "-ab-axxb-", -1)).toEqual([
      ["ab", ""],
      ["axxb", "xx"],
    ]);
  });

  it("splits and replaces like Go", () => {
    expect(call("regex.split", "a*", "abaabaccadaaae")).toEqual(["", "b", "b", "c", "c", "d", "e"]);
    expect(call("regex.split", ",", "a,b,c")).toEqual(["a", "b", "c"]);
    expect(call("regex.replace", "-ab-axxb-", "a(x*)b", ["$", "{1}W"].join(""))).toBe("-W-xxW-");
    expect(call("regex.replace", "-ab-axxb-", "a(x*)b", "$1W")).toBe("---");
    expect(call("regex.replace", "abc", "b", "$$")).toBe("a$c");
  });
});

describe("glob", () => {
  const m = (p: string, d: unknown, s: string) => call("glob.match", p, d, s);

  it("matches OPA's documented examples", () => {
    expect(m("api://*/appId", null, "api://foo.com/appId")).toBe(true);
    expect(m("*.github.com", [], "api.github.com")).toBe(true);
    expect(m("*.github.com", [], "api.cdn.github.com")).toBe(false);
    expect(m("*hub.com", null, "api.cdn.github.com")).toBe(true);
    expect(m("*:github:com", [":"], "api:github:com")).toBe(true);
    expect(m("api.**.com", [], "api.cdn.github.com")).toBe(true);
    expect(m("?at", [], "cat")).toBe(true);
    expect(m("?at", [], "at")).toBe(false);
    expect(m("[abc]at", [], "lat")).toBe(false);
    expect(m("[!abc]at", [], "cat")).toBe(false);
    expect(m("[!a-c]at", [], "lat")).toBe(true);
    expect(m("{cat,bat,[fr]at}", [], "rat")).toBe(true);
    expect(m("{cat,bat,[fr]at}", [], "at")).toBe(false);
  });

  it("matches hostile globs in linear time", () => {
    const input = `${"a".repeat(5_000)}!`;
    expect(m("{a,a}{a,a}*{a,a}*{a,a}*{a,a}*b", null, input)).toBe(false);
    expect(m("*a*a*a*a*a*a*a*a*a*a*a*b", null, input)).toBe(false);
    expect(m("*a*a*a*a*a*a*a*a*a*a*a*!", null, input)).toBe(true);
  });

  it("quotes metacharacters", () => {
    expect(call("glob.quote_meta", "*.github.com")).toBe("\\*.github.com");
    expect(call("glob.quote_meta", "[x]{y}?")).toBe("\\[x\\]\\{y\\}\\?");
  });
});
