/** Regular-expression builtins (`regex.*`) with Go RE2 semantics and linear-time matching, see go-regex.ts. */

import { RE2JS } from "re2js";
import { charge, checkStringLength } from "../limits.js";
import type { Value } from "../value.js";
import { int, str } from "./args.js";
import { compileGoRegex, type GoRegex, group } from "./go-regex.js";
import { type BuiltinContext, BuiltinError, type BuiltinTable } from "./types.js";

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
  return compileGoRegex(pattern).test(s);
}

/** Go's regexp.Split(s, -1). */
function split(pattern: string, s: string): Value {
  const re = compileGoRegex(pattern);
  if (s === "") return [""];
  const parts: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of re.findAll(s, -1)) {
    const [mStart = 0, mEnd = 0] = m;
    end = mStart;
    if (mEnd !== 0) parts.push(s.slice(beg, end));
    beg = mEnd;
  }
  if (end !== s.length) parts.push(s.slice(beg));
  return parts;
}

/**
 * Go's ReplaceAllString template: `$1`, `${1}`, `$name`, `${name}`; `$$` is a dollar. A name is
 * the longest run of word characters, so `$1x` names group "1x" (empty), as in Go.
 */
function expandTemplate(template: string, re: GoRegex, s: string, m: readonly number[]): string {
  return template.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (_all, raw: string, braced?: string, bare?: string) => {
    if (raw === "$") return "$";
    const name = braced ?? bare ?? "";
    const g = /^\d+$/.test(name) ? Number(name) : Object.hasOwn(re.names, name) ? re.names[name] : undefined;
    return g === undefined ? "" : (group(s, m, g) ?? "");
  });
}

function replace(s: string, pattern: string, template: string, ctx: BuiltinContext): string {
  const re = compileGoRegex(pattern);
  let out = "";
  let last = 0;
  for (const m of re.findAll(s, -1)) {
    const [mStart = 0, mEnd = 0] = m;
    out += s.slice(last, mStart) + expandTemplate(template, re, s, m);
    // The template may be long and repeat for every match: bound the output as it grows.
    checkStringLength("regex.replace", out.length);
    charge(ctx.budget, 1);
    last = mEnd;
  }
  return out + s.slice(last);
}

/**
 * `regex.template_match(template, s, start, end)`: the parts of `template` between the delimiters
 * are RE2 patterns, the rest is literal; the whole of `s` must match.
 */
function templateMatch(args: readonly Value[]): boolean {
  const name = "regex.template_match";
  const template = str(name, args, 0);
  const s = str(name, args, 1);
  const open = str(name, args, 2);
  const close = str(name, args, 3);
  if (open.length !== 1 || close.length !== 1) throw new BuiltinError(`${name}: delimiters must be single characters`);
  let pattern = "^";
  let i = 0;
  while (i < template.length) {
    const at = template.indexOf(open, i);
    if (at < 0) {
      pattern += RE2JS.quote(template.slice(i));
      break;
    }
    const stop = template.indexOf(close, at + 1);
    if (stop < 0) throw new BuiltinError(`${name}: unbalanced delimiters in ${JSON.stringify(template)}`);
    pattern += `${RE2JS.quote(template.slice(i, at))}(?:${template.slice(at + 1, stop)})`;
    i = stop + 1;
  }
  return compileGoRegex(`${pattern}$`).test(s);
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
      const s = str("regex.find_n", args, 1);
      const re = compileGoRegex(str("regex.find_n", args, 0));
      return re.findAll(s, int("regex.find_n", args, 2)).map((m) => group(s, m, 0) ?? "");
    },
  },
  "regex.find_all_string_submatch_n": {
    arity: 3,
    fn: (args) => {
      const name = "regex.find_all_string_submatch_n";
      const s = str(name, args, 1);
      const re = compileGoRegex(str(name, args, 0));
      return re.findAll(s, int(name, args, 2)).map((m) => {
        const groups: string[] = [];
        for (let g = 0; 2 * g < m.length; g++) groups.push(group(s, m, g) ?? "");
        return groups;
      });
    },
  },
  "regex.split": { arity: 2, fn: (args) => split(str("regex.split", args, 0), str("regex.split", args, 1)) },
  "regex.replace": {
    arity: 3,
    fn: (args, ctx) =>
      replace(str("regex.replace", args, 0), str("regex.replace", args, 1), str("regex.replace", args, 2), ctx),
  },
  "regex.template_match": { arity: 4, fn: templateMatch },
};
