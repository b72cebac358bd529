/** Encoding builtins: json.*, base64*, hex.*, urlquery.*, yaml.*. */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { fromJS, RegoObject, RegoSet, toJS, type Value } from "../value.js";
import { arg, obj, str, typeFail } from "./args.js";
import { type Builtin, BuiltinError, type BuiltinTable } from "./types.js";

function strFn(name: string, f: (s: string) => Value): Builtin {
  return { arity: 1, fn: (args) => f(str(name, args, 0)) };
}

/** Parses first, converts after: a too-deep document is a limit error, not "invalid JSON". */
function parseJson(s: string): Value {
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch {
    throw new BuiltinError("json.unmarshal: invalid JSON");
  }
  return fromJS(parsed);
}

/** `*.is_valid`: false (not an error) for non-strings and for text the parser rejects. */
function isValidText(v: Value | undefined, parse: (s: string) => unknown): boolean {
  if (typeof v !== "string") return false;
  try {
    parse(v);
    return true;
  } catch {
    return false;
  }
}

/**
 * `json.marshal_with_options(x, {pretty, indent, prefix})`: Go's MarshalIndent when pretty (the
 * default once indent or prefix is given), compact otherwise. Indent defaults to a tab.
 */
function marshalWithOptions(args: readonly Value[]): Value {
  const value = toJS(arg(args, 0));
  const opts = obj("json.marshal_with_options", args, 1);
  const indent = opts.get("indent") ?? "\t";
  const prefix = opts.get("prefix") ?? "";
  const pretty = opts.get("pretty") ?? (opts.has("indent") || opts.has("prefix"));
  if (typeof indent !== "string" || typeof prefix !== "string" || typeof pretty !== "boolean") {
    throw new BuiltinError("json.marshal_with_options: indent and prefix must be strings, pretty a boolean");
  }
  if (!pretty) return JSON.stringify(value);
  return JSON.stringify(value, null, indent === "" ? undefined : indent)
    .split("\n")
    .map((line, i) => (i === 0 ? line : prefix + line))
    .join("\n");
}

/** Strict standard base64 (padding required), as Go's StdEncoding. */
const STD_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** URL alphabet, padding optional (OPA falls back to the raw encoding). */
const URL_B64 = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/;

function decodeBase64(name: string, s: string, pattern: RegExp, encoding: "base64" | "base64url"): string {
  if (!pattern.test(s)) throw new BuiltinError(`${name}: illegal base64 data`);
  return Buffer.from(s, encoding).toString("utf8");
}

function decodeHex(s: string): string {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(s)) throw new BuiltinError("hex.decode: invalid hex string");
  return Buffer.from(s, "hex").toString("utf8");
}

/** Go's url.QueryEscape: unreserved characters kept, space as `+`, everything else %XX. */
export function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

function queryUnescape(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    throw new BuiltinError("urlquery.decode: invalid escape");
  }
}

/** Values may be a string or an array/set of strings; keys are emitted sorted, as Go's Encode. */
function encodeObject(args: readonly Value[]): Value {
  const o = obj("urlquery.encode_object", args, 0);
  const parts: string[] = [];
  for (const [k, v] of o.sortedEntries()) {
    if (typeof k !== "string") typeFail("urlquery.encode_object", 0, "object with string keys", k);
    const values = typeof v === "string" ? [v] : Array.isArray(v) ? v : v instanceof RegoSet ? v.sorted() : null;
    if (values === null) typeFail("urlquery.encode_object", 0, "object of strings or string collections", v);
    for (const x of values as readonly Value[]) {
      if (typeof x !== "string") typeFail("urlquery.encode_object", 0, "object of strings", x);
      parts.push(`${queryEscape(k)}=${queryEscape(x)}`);
    }
  }
  return parts.join("&");
}

function decodeObject(s: string): Value {
  const out = new Map<string, string[]>();
  for (const pair of s.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const key = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : queryUnescape(pair.slice(eq + 1));
    out.set(key, [...(out.get(key) ?? []), value]);
  }
  return RegoObject.fromEntries(out.entries());
}

function parseYamlValue(s: string): Value {
  let parsed: unknown;
  try {
    // Warnings (unknown directives) would go to process warnings: policy input must not write logs.
    parsed = parseYaml(s, { maxAliasCount: 100, logLevel: "error" }) ?? null;
  } catch {
    throw new BuiltinError("yaml.unmarshal: invalid YAML");
  }
  return fromJS(parsed);
}

export const ENCODING: BuiltinTable = {
  "json.marshal": { arity: 1, fn: (args) => JSON.stringify(toJS(arg(args, 0))) },
  "json.marshal_with_options": { arity: 2, fn: marshalWithOptions },
  "json.unmarshal": strFn("json.unmarshal", parseJson),
  "json.is_valid": { arity: 1, fn: (args) => isValidText(args[0], (s) => JSON.parse(s)) },
  "base64.encode": strFn("base64.encode", (s) => Buffer.from(s, "utf8").toString("base64")),
  "base64.decode": strFn("base64.decode", (s) => decodeBase64("base64.decode", s, STD_B64, "base64")),
  "base64.is_valid": strFn("base64.is_valid", (s) => STD_B64.test(s)),
  "base64url.encode": strFn("base64url.encode", (s) =>
    Buffer.from(s, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_"),
  ),
  "base64url.encode_no_pad": strFn("base64url.encode_no_pad", (s) => Buffer.from(s, "utf8").toString("base64url")),
  "base64url.decode": strFn("base64url.decode", (s) => decodeBase64("base64url.decode", s, URL_B64, "base64url")),
  "hex.encode": strFn("hex.encode", (s) => Buffer.from(s, "utf8").toString("hex")),
  "hex.decode": strFn("hex.decode", decodeHex),
  "urlquery.encode": strFn("urlquery.encode", queryEscape),
  "urlquery.decode": strFn("urlquery.decode", queryUnescape),
  "urlquery.encode_object": { arity: 1, fn: encodeObject },
  "urlquery.decode_object": strFn("urlquery.decode_object", decodeObject),
  "yaml.marshal": { arity: 1, fn: (args) => stringifyYaml(toJS(arg(args, 0))) },
  "yaml.unmarshal": strFn("yaml.unmarshal", parseYamlValue),
  "yaml.is_valid": {
    arity: 1,
    fn: (args) => isValidText(args[0], parseYamlValue),
  },
};
