/** Regular-expression builtins (`regex.*`) with Go RE2 semantics, see go-regex.ts. */
import type { Value } from "../value.js";
import { int, str } from "./args.js";
import { compileGoRegex, findAll } from "./go-regex.js";
import { BuiltinError, type BuiltinTable } from "./types.js";

function isValid(pattern: string): boolean {
  try {
    compileGoRegex(pattern);
    return true;
  } catch (e) {
    if (e instanceof BuiltinError) return false;
    throw e;
  }
}

function match(pattern: string, s: string): boolean {
  const re = compileGoRegex(pattern);
  re.lastIndex = 0;
  const hit = re.test(s);
  re.lastIndex = 0;
  return hit;
}

/** Go's regexp.Split(s, -1). */
function split(pattern: string, s: string): Value {
  const re = compileGoRegex(pattern);
  if (s === "") return [""];
  const parts: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of findAll(re, s, -1)) {
    end = m.index;
    if (m.index + m[0].length !== 0) parts.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) parts.push(s.slice(beg));
  return parts;
}

/**
 * Go's ReplaceAllString template: `$1`, `${1}`, `$name`, `${name}`; `$$` is a dollar. A name is
 * the longest run of word characters, so `$1x` names group "1x" (empty), as in Go.
 */
function expandTemplate(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (_all, raw: string, braced?: string, bare?: string) => {
    if (raw === "$") return "$";
    const name = braced ?? bare ?? "";
    if (/^\d+$/.test(name)) return m[Number(name)] ?? "";
    return m.groups?.[name] ?? "";
  });
}

function replace(s: string, pattern: string, template: string): string {
  const re = compileGoRegex(pattern);
  let out = "";
  let last = 0;
  for (const m of findAll(re, s, -1)) {
    out += s.slice(last, m.index) + expandTemplate(template, m);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

export const REGEX: BuiltinTable = {
  "regex.is_valid": {
    arity: 1,
    fn: (args) => (typeof args[0] === "string" ? isValid(args[0]) : false),
  },
  "regex.match": { arity: 2, fn: (args) => match(str("regex.match", args, 0), str("regex.match", args, 1)) },
  "regex.find_n": {
    arity: 3,
    fn: (args) => {
      const re = compileGoRegex(str("regex.find_n", args, 0));
      return findAll(re, str("regex.find_n", args, 1), int("regex.find_n", args, 2)).map((m) => m[0]);
    },
  },
  "regex.find_all_string_submatch_n": {
    arity: 3,
    fn: (args) => {
      const name = "regex.find_all_string_submatch_n";
      const re = compileGoRegex(str(name, args, 0));
      return findAll(re, str(name, args, 1), int(name, args, 2)).map((m) => [...m].map((g) => g ?? ""));
    },
  },
  "regex.split": { arity: 2, fn: (args) => split(str("regex.split", args, 0), str("regex.split", args, 1)) },
  "regex.replace": {
    arity: 3,
    fn: (args) => replace(str("regex.replace", args, 0), str("regex.replace", args, 1), str("regex.replace", args, 2)),
  },
};
