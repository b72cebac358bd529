import { describe, expect, it } from "vitest";
import { BuiltinTypeError } from "./args.js";
import { call, setOf } from "./test-helpers.js";
import { BuiltinError } from "./types.js";

describe("strings", () => {
  it("joins arrays and sets in order", () => {
    expect(call("concat", ", ", ["Hello", "world"])).toBe("Hello, world");
    expect(call("concat", ", ", setOf("world", "Hello"))).toBe("Hello, world");
    expect(call("concat", ",", [])).toBe("");
    expect(() => call("concat", "", "")).toThrow(BuiltinTypeError);
    expect(() => call("concat", null, [])).toThrow(BuiltinTypeError);
  });

  it("searches by code point", () => {
    expect(call("indexof", "Hello world", "llo")).toBe(2);
    expect(call("indexof", "Hello world", "hel")).toBe(-1);
    expect(call("indexof", "μx", "x")).toBe(1);
    expect(call("indexof", "skön var våren", "vår")).toBe(9);
    expect(call("indexof_n", "sheep", "e")).toEqual([2, 3]);
    expect(call("indexof_n", "aaa", "aa")).toEqual([0, 1]);
    expect(() => call("indexof", "", "")).toThrow(BuiltinError);
    expect(call("contains", "Hello world", "")).toBe(true);
    expect(call("endswith", "", "ld")).toBe(false);
    expect(call("strings.count", "cheese", "e")).toBe(3);
  });

  it("changes case with Unicode rules", () => {
    expect(call("lower", "ὈΔΥΣΣΕΎΣ")).toBe("ὀδυσσεύς");
    expect(call("lower", "LONG\u2C6FSTRING")).toBe("long\u0250string");
    expect(call("upper", "abc")).toBe("ABC");
  });

  it("splits and replaces like Go", () => {
    expect(call("split", "test", "")).toEqual(["t", "e", "s", "t"]);
    expect(call("split", "", "")).toEqual([]);
    expect(call("split", "a,b", ",")).toEqual(["a", "b"]);
    expect(call("split", "", ",")).toEqual([""]);
    expect(call("replace", "aaa", "a", "b")).toBe("bbb");
    expect(call("replace", "ab", "", "-")).toBe("-a-b-");
    expect(call("strings.replace_n", { "<": "&lt;", ">": "&gt;" }, "<a>")).toBe("&lt;a&gt;");
    expect(call("strings.reverse", "abμ")).toBe("μba");
  });

  it("cuts substrings and trims", () => {
    expect(call("substring", "abcdef", 1, 3)).toBe("bcd");
    expect(call("substring", "abcdef", 2, -1)).toBe("cdef");
    expect(call("substring", "abc", 5, 1)).toBe("");
    expect(() => call("substring", "abc", -1, 1)).toThrow(/negative offset/);
    expect(call("trim", "  xx  ", " ")).toBe("xx");
    expect(call("trim", "abcxcba", "abc")).toBe("x");
    expect(call("trim_left", "aab", "a")).toBe("b");
    expect(call("trim_right", "baa", "a")).toBe("b");
    expect(call("trim_prefix", "prefix-x", "prefix-")).toBe("x");
    expect(call("trim_suffix", "x.txt", ".txt")).toBe("x");
    expect(call("trim_space", "\t x \n")).toBe("x");
    expect(call("trim", "a]b[", "[]")).toBe("a]b");
  });

  it("formats integers in bases 2, 8, 10, 16, truncating toward zero", () => {
    expect(call("format_int", 10, 2)).toBe("1010");
    expect(call("format_int", -10.765, 16)).toBe("-a");
    expect(call("format_int", 10.7, 8)).toBe("12");
    expect(() => call("format_int", 10, 4)).toThrow(/base/);
  });

  it("matches any prefix or suffix", () => {
    expect(call("strings.any_prefix_match", "foo/bar", ["x", "foo"])).toBe(true);
    expect(call("strings.any_prefix_match", ["a", "b"], "c")).toBe(false);
    expect(call("strings.any_suffix_match", setOf("a.txt"), setOf(".txt"))).toBe(true);
  });
});

describe("sprintf", () => {
  const fmt = (f: string, ...args: unknown[]) => call("sprintf", f, args);

  it("formats strings, integers and values", () => {
    expect(fmt("User %s from %s", "alice", "eng")).toBe("User alice from eng");
    expect(fmt("Number: %d", 42)).toBe("Number: 42");
    expect(fmt("Hex: %x %X", 255, 255)).toBe("Hex: ff FF");
    expect(fmt("Octal: %o", 64)).toBe("Octal: 100");
    expect(fmt("Binary: %b", 15)).toBe("Binary: 1111");
    expect(fmt("%v", { key: "value" })).toBe('{"key": "value"}');
    expect(fmt("%v", [1, "a", setOf()])).toBe('[1, "a", set()]');
    expect(fmt("%s", setOf(2, 1))).toBe("{1, 2}");
    expect(fmt("%d%%", 5)).toBe("5%");
    expect(fmt("%q", 'a"b\n')).toBe('"a\\"b\\n"');
    expect(fmt("%t", true)).toBe("true");
    expect(fmt("%v", null)).toBe("null");
  });

  it("handles width, flags and precision", () => {
    expect(fmt("%5d|%-5d|%05d", 42, 42, -42)).toBe("   42|42   |-0042");
    expect(fmt("%.2f", 1.23456)).toBe("1.23");
    expect(fmt("%f", 3.14)).toBe("3.140000");
    expect(fmt("%8.3f", -1.23456)).toBe("  -1.235");
    expect(fmt("%+d", 3)).toBe("+3");
    expect(fmt("%.3s", "abcdef")).toBe("abc");
    expect(fmt("%e", 1234.5678)).toBe("1.234568e+03");
  });

  it("prints floats like Go's %v", () => {
    expect(fmt("%v", 2.5)).toBe("2.5");
    expect(fmt("%v", 1.5e300)).toBe("1.5e+300");
    expect(fmt("%v", 0.00001)).toBe("1e-05");
    expect(fmt("%g", 123456789.5)).toBe("1.234567895e+08");
    expect(fmt("%.3g", 1.0001)).toBe("1");
  });

  it("marks missing, extra and mismatched arguments as Go does", () => {
    expect(fmt("Value: %s %d", "only_one")).toBe("Value: only_one %!d(MISSING)");
    expect(fmt("%d", "x")).toBe("%!d(string=x)");
    expect(fmt("%d", 3.5)).toBe("%!d(float64=3.5)");
    expect(fmt("a", 1)).toBe("a%!(EXTRA int64=1)");
  });
});

describe("sprintf with large integers", () => {
  it("prints nanosecond timestamps with all their digits", () => {
    expect(call("sprintf", "%d", [1703444325734390000])).toBe("1703444325734390000");
  });
});
