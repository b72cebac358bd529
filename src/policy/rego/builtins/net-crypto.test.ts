import { describe, expect, it } from "vitest";
import { toJS } from "../value.js";
import { call, setOf } from "./test-helpers.js";
import { BuiltinError } from "./types.js";

describe("net", () => {
  it("tests containment and intersection for IPv4 and IPv6", () => {
    expect(call("net.cidr_contains", "10.0.0.0/8", "10.1.2.3")).toBe(true);
    expect(call("net.cidr_contains", "10.0.0.0/8", "11.0.0.0/24")).toBe(false);
    expect(call("net.cidr_contains", "10.0.0.0/8", "10.2.0.0/16")).toBe(true);
    expect(call("net.cidr_contains", "2001:db8::/32", "2001:db8:1::1")).toBe(true);
    expect(call("net.cidr_contains", "::ffff:0:0/96", "::ffff:1.2.3.4")).toBe(true);
    expect(call("net.cidr_contains", "10.0.0.0/8", "::1")).toBe(false);
    expect(call("net.cidr_intersects", "192.168.0.0/16", "192.168.1.0/24")).toBe(true);
    expect(call("net.cidr_intersects", "192.168.0.0/24", "192.168.1.0/24")).toBe(false);
    expect(() => call("net.cidr_contains", "10.0.0.0/33", "10.0.0.1")).toThrow(BuiltinError);
  });

  it("validates CIDRs", () => {
    expect(call("net.cidr_is_valid", "10.0.0.0/8")).toBe(true);
    expect(call("net.cidr_is_valid", "::/0")).toBe(true);
    expect(call("net.cidr_is_valid", "10.0.0.0")).toBe(false);
    expect(call("net.cidr_is_valid", "256.0.0.0/8")).toBe(false);
    expect(call("net.cidr_is_valid", "1:2:3:4:5:6:7:8:9/64")).toBe(false);
  });

  it("merges into the fewest networks", () => {
    expect(toJS(call("net.cidr_merge", ["192.0.128.0/24", "192.0.129.0/24"]) ?? null)).toEqual(["192.0.128.0/23"]);
    expect(toJS(call("net.cidr_merge", setOf("1.0.0.0/24", "1.0.1.0/24", "1.0.2.0/24")) ?? null)).toEqual([
      "1.0.0.0/23",
      "1.0.2.0/24",
    ]);
    expect(toJS(call("net.cidr_merge", ["10.0.0.1", "10.0.0.0/8", "2001:db8::1", "2001:db8::/127"]) ?? null)).toEqual([
      "10.0.0.0/8",
      "2001:db8::/127",
    ]);
  });

  it("expands small networks", () => {
    expect(toJS(call("net.cidr_expand", "192.168.0.0/30") ?? null)).toEqual([
      "192.168.0.0",
      "192.168.0.1",
      "192.168.0.2",
      "192.168.0.3",
    ]);
    expect(() => call("net.cidr_expand", "10.0.0.0/8")).toThrow(BuiltinError);
  });
});

describe("crypto", () => {
  it("hashes and signs like OPA (hex digests)", () => {
    expect(call("crypto.md5", "hello")).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(call("crypto.sha1", "hello")).toBe("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    expect(call("crypto.sha256", "")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(call("crypto.hmac.sha256", "hello", "key")).toBe(
      "9307b3b915efb5171ff14d8cb55fbcc798c6c0ef1456d66ded1a6aa723a58b7b",
    );
    expect(call("crypto.hmac.equal", "abc", "abc")).toBe(true);
    expect(call("crypto.hmac.equal", "abc", "abd")).toBe(false);
  });
});

describe("encoding", () => {
  it("round-trips JSON with sorted keys and sets as arrays", () => {
    expect(call("json.marshal", { b: 1, a: setOf(2, 1) })).toBe('{"a":[1,2],"b":1}');
    expect(call("json.marshal_with_options", { a: [1] }, { indent: "  " })).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(toJS(call("json.unmarshal", '{"a":[1,"x",null]}') ?? null)).toEqual({ a: [1, "x", null] });
    expect(call("json.is_valid", "{")).toBe(false);
    expect(() => call("json.unmarshal", "{")).toThrow(BuiltinError);
  });

  it("encodes base64, base64url and hex", () => {
    expect(call("base64.encode", "hello?")).toBe("aGVsbG8/");
    expect(call("base64.decode", "aGVsbG8/")).toBe("hello?");
    expect(call("base64.is_valid", "aGVsbG8")).toBe(false);
    expect(call("base64url.encode", "hello?")).toBe("aGVsbG8_");
    expect(call("base64url.encode_no_pad", "hi")).toBe("aGk");
    expect(call("base64url.decode", "aGk")).toBe("hi");
    expect(call("base64url.decode", "aGk=")).toBe("hi");
    expect(() => call("base64.decode", "***")).toThrow(BuiltinError);
    expect(call("hex.encode", "hi")).toBe("6869");
    expect(call("hex.decode", "6869")).toBe("hi");
  });

  it("encodes URL queries like Go", () => {
    expect(call("urlquery.encode", "a b&c=d/é")).toBe("a+b%26c%3Dd%2F%C3%A9");
    expect(call("urlquery.decode", "a+b%26c")).toBe("a b&c");
    expect(call("urlquery.encode_object", { b: ["2", "3"], a: "1 x" })).toBe("a=1+x&b=2&b=3");
    expect(toJS(call("urlquery.decode_object", "a=1&b=2&a=3") ?? null)).toEqual({ a: ["1", "3"], b: ["2"] });
  });

  it("handles YAML", () => {
    expect(toJS(call("yaml.unmarshal", "a: [1, two]\nb: null\n") ?? null)).toEqual({ a: [1, "two"], b: null });
    expect(call("yaml.marshal", { a: 1 })).toBe("a: 1\n");
    expect(call("yaml.is_valid", "a: [")).toBe(false);
  });
});
