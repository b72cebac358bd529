import { describe, expect, it } from "vitest";
import { call } from "./test-helpers.js";
import { BuiltinError } from "./types.js";

describe("regex", () => {
  it("matches with RE2 syntax translated to JS", () => {
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

  it("reports validity and refuses catastrophic shapes", () => {
    expect(call("regex.is_valid", "[a-")).toBe(false);
    expect(call("regex.is_valid", "(?U)a+")).toBe(false);
    expect(call("regex.is_valid", "(a+)+$")).toBe(false);
    expect(call("regex.is_valid", "^([a-z0-9]+\\.)+[a-z]+$")).toBe(true);
    expect(call("regex.is_valid", 5)).toBe(false);
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

  it("quotes metacharacters", () => {
    expect(call("glob.quote_meta", "*.github.com")).toBe("\\*.github.com");
    expect(call("glob.quote_meta", "[x]{y}?")).toBe("\\[x\\]\\{y\\}\\?");
  });
});
