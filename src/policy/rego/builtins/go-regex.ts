/**
 * Go RE2 patterns on re2js, a pure-JavaScript port of RE2: the syntax is Go's (flag groups,
 * `(?P<n>`, `\A` `\z`, `\Q…\E`, POSIX classes, `\pL`, no backreferences or lookaround) and
 * matching runs in time linear in the input, so no pattern can make a policy backtrack
 * exponentially (`^(a|a)+$` against "aaaa…!" is as fast as any other). JS's RegExp is never used
 * for a policy's pattern. Compiled patterns are cached in a bounded map because policies call the
 * same patterns per request. Offsets are UTF-16 indices into the JS string.
 */
import { RE2JS, RE2JSException } from "re2js";
import { BuiltinError } from "./types.js";

/** The part of re2js's Go-style `RE2` object used here (its typings declare `any`). */
interface GoRe2 {
  /** Go's FindAllStringSubmatchIndex: [start, end, group1start, group1end, ...] per match; -1 for unset groups. */
  findAllSubmatchIndex(s: string, n: number): number[][] | null;
  readonly namedGroups: Record<string, number>;
}

/** A compiled RE2 pattern. */
export interface GoRegex {
  /** True when the pattern matches anywhere in `s` (Go's MatchString). */
  test(s: string): boolean;
  /**
   * Go's FindAllStringSubmatchIndex: successive non-overlapping matches, at most `n` (all when
   * n < 0), each as [start, end, group starts and ends...] with -1 for groups that did not match.
   */
  findAll(s: string, n: number): number[][];
  /** Group numbers by name, for `${name}` in replacement templates. */
  readonly names: Readonly<Record<string, number>>;
}

const CACHE_LIMIT = 512;
const cache = new Map<string, GoRegex>();

function wrap(re: RE2JS): GoRegex {
  const go = re.re2() as unknown as GoRe2;
  return {
    test: (s) => re.test(s),
    findAll: (s, n) => (n === 0 ? [] : (go.findAllSubmatchIndex(s, n) ?? [])),
    names: go.namedGroups,
  };
}

/** Compiles (once) an RE2 pattern; an invalid pattern is a BuiltinError with RE2's message. */
export function compileGoRegex(pattern: string): GoRegex {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    if (e instanceof RE2JSException) throw new BuiltinError(`regex: ${e.message}`);
    throw e;
  }
  const compiled = wrap(re);
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(pattern, compiled);
  return compiled;
}

/** The text of group `g` of match `m` in `s`, or undefined when the group did not take part. */
export function group(s: string, m: readonly number[], g: number): string | undefined {
  const start = m[2 * g];
  const end = m[2 * g + 1];
  return start === undefined || end === undefined || start < 0 ? undefined : s.slice(start, end);
}
