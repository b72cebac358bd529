import type { FastifyRequest } from "fastify";
import { type FieldError, validationFailed } from "../errors.js";

/** In `u` mode a surrogate range matches only unpaired surrogates (a valid pair is one code point). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

interface Pending {
  value: unknown;
  path: string;
  depth: number;
}

/** Escapes a key for a JSON pointer (RFC 6901), so the reported path names the field exactly. */
function pointerSegment(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * Why a string cannot be accepted, or undefined if it can. PostgreSQL cannot store NUL in text or
 * jsonb (22021 / 22P05), and a lone UTF-16 surrogate has no UTF-8 encoding: the driver would
 * silently replace it, or jsonb would reject its `\uD800` escape.
 */
export function unstorableText(s: string): string | undefined {
  if (s.includes("\u0000")) return "must not contain NUL (\\u0000) characters";
  if (LONE_SURROGATE.test(s)) return "must not contain unpaired UTF-16 surrogates";
  return undefined;
}

/**
 * Scans a parsed request part for values SARK cannot store or process safely: nesting deeper than
 * `maxDepth`, and strings (keys included) that are not storable text. Iterative on purpose: the
 * point is to reject a 9,000-level document before anything recursive (schema validation,
 * canonicalisation, JSON.stringify, Rego) sees it. Returns the first problem, with its path.
 */
export function findInputProblem(value: unknown, part: string, maxDepth: number): FieldError | undefined {
  const stack: Pending[] = [{ value, path: part, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: v, path, depth } = item;
    if (typeof v === "string") {
      const problem = unstorableText(v);
      if (problem) return { path, message: problem };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (depth >= maxDepth) {
      return { path, message: `is nested more than ${maxDepth} levels deep (MAX_JSON_DEPTH)` };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}/${i}`, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      const keyPath = `${path}/${pointerSegment(key)}`;
      const problem = unstorableText(key);
      if (problem) return { path: keyPath, message: `key ${problem}` };
      stack.push({ value: (v as Record<string, unknown>)[key], path: keyPath, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * The one place request input is screened (a preValidation hook, so it runs after parsing and
 * before schema validation and every handler): path parameters, query string and body. A problem
 * is a 400 VALIDATION_FAILED naming the field, never a database error turned 500 or a stack
 * overflow.
 */
export function createInputGuard(maxDepth: number) {
  return (request: FastifyRequest, _reply: unknown, done: (err?: Error) => void): void => {
    const problem =
      findInputProblem(request.params, "params", maxDepth) ??
      findInputProblem(request.query, "querystring", maxDepth) ??
      findInputProblem(request.body, "body", maxDepth);
    if (problem) done(validationFailed(`request validation failed: ${problem.path} ${problem.message}`, [problem]));
    else done();
  };
}
