/**
 * Secret redaction for audit details (and, later, gateway logs of tool arguments). One module so the
 * rules are tested once and applied everywhere. Pure: never mutates its input, survives cycles and
 * hostile sizes, and returns JSON-safe data that PostgreSQL `jsonb` accepts (no NUL characters, no
 * lone surrogates, no bigint) so a single odd event can never wedge the audit writer.
 */

export const REDACTED = "[REDACTED]";

/** Limits that keep one event from exhausting memory or the database row. */
export const REDACTION_LIMITS = {
  maxDepth: 16,
  maxStringLength: 8192,
  maxArrayItems: 500,
  maxObjectKeys: 500,
} as const;

// Keys whose values are secrets whatever they look like; matched on the key lower-cased with
// everything but letters and digits removed, so `X-API-Key`, `api_key` and `apiKey` are one rule.
const SENSITIVE_KEY =
  /(password|passwd|passphrase|secret|token|apikey|accesskey|authorization|credential|privatekey|cookie|sessionid|signature|bearer)/;
const SENSITIVE_EXACT = new Set(["pwd", "pass", "auth", "key", "pin", "otp", "jwt", "sig"]);
// Names *about* a secret are not the secret: identifiers (`api_key_id`, `token_id`), names, types,
// counts, timestamps, and LLM counters such as `max_tokens`. Session ids and Vault-style
// `secret_id`s are bearer credentials, so they stay sensitive.
const NOT_SENSITIVE = /(?:tokens|ids?|names?|type|count|limit|prefix|length|ttl|expiresat|at)$/;
const ALWAYS_SENSITIVE = new Set(["sessionid", "secretid"]);

/** What a key is compared as: lower-cased, everything but letters and digits removed. */
const KEY_STRIP = /[^a-z0-9]/g;

// Key names repeat endlessly at audit rates; remembering the verdict skips three regexes per key.
const keyVerdicts = new Map<string, boolean>();
const KEY_CACHE_MAX = 10_000;

/** Whether a property name marks its value as secret (exported for the gateway's header filter). */
export function isSensitiveKey(key: string): boolean {
  const known = keyVerdicts.get(key);
  if (known !== undefined) return known;
  const k = key.toLowerCase().replace(KEY_STRIP, "");
  const verdict =
    ALWAYS_SENSITIVE.has(k) || (!NOT_SENSITIVE.test(k) && (SENSITIVE_EXACT.has(k) || SENSITIVE_KEY.test(k)));
  if (keyVerdicts.size >= KEY_CACHE_MAX) keyVerdicts.clear();
  keyVerdicts.set(key, verdict);
  return verdict;
}

interface ValuePattern {
  readonly name: string;
  readonly pattern: RegExp;
  readonly replace: (match: string, ...groups: string[]) => string;
}

const mask = (name: string) => () => `[REDACTED:${name}]`;

/** Credential shapes found inside any string value, wherever it sits in the event. */
const VALUE_PATTERNS: readonly ValuePattern[] = [
  {
    name: "private_key",
    pattern:
      /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|$)/g,
    replace: mask("private_key"),
  },
  {
    name: "url_password",
    pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)([^\s/?#@]+)@/gi,
    replace: (_m, prefix) => `${prefix}${REDACTED}@`,
  },
  {
    name: "jwt",
    pattern: /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
    replace: mask("jwt"),
  },
  {
    name: "aws_access_key",
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b/g,
    replace: mask("aws_access_key"),
  },
  {
    name: "aws_secret_key",
    pattern: /(aws_?secret_?access_?key["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}/gi,
    replace: (_m, prefix) => `${prefix}${REDACTED}`,
  },
  {
    name: "sark_api_key",
    pattern: /\bsark_(?:dev|stg|prod)_[0-9A-Za-z]{16}_[0-9A-Za-z]{43}\b/g,
    replace: mask("sark_api_key"),
  },
  { name: "sk_key", pattern: /\bsk-[A-Za-z0-9_-]{16,}/g, replace: mask("api_key") },
  { name: "stripe_key", pattern: /\b[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}/g, replace: mask("api_key") },
  {
    name: "github_token",
    pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{22,}/g,
    replace: mask("github_token"),
  },
  { name: "slack_token", pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g, replace: mask("slack_token") },
  { name: "google_api_key", pattern: /\bAIza[0-9A-Za-z_-]{35}/g, replace: mask("api_key") },
  {
    name: "auth_header",
    pattern: /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g,
    replace: (_m, scheme) => `${scheme} ${REDACTED}`,
  },
];

// Strings shorter than the shortest credential above cannot contain one; skipping them keeps the
// common case (short identifiers, enum values) cheap at audit ingest rates.
const MIN_SECRET_LENGTH = 16;
// A superset of the patterns' fixed parts: one scan decides whether any pattern needs to run.
const ANY_PATTERN =
  /-----BEGIN|:\/\/|eyJ|A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA)|aws_?secret|sk-|k_(?:live|test)_|gh[pousr]_|github_pat_|xox|AIza|sark_|Bearer|Basic|Token/i;

/**
 * The redaction rules as plain data, for policies (`data.sark.redaction`, see docs/POLICIES.md):
 * the default policy filters tool arguments with exactly the rules that redact the audit log.
 * Patterns are RE2 syntax (OPA's regex dialect; JavaScript's `i` flag becomes `(?i)`), and a key is
 * sensitive when, lower-cased with `key_strip_pattern` matches removed, it is in
 * `always_sensitive_keys`, or it does not match `not_sensitive_pattern` and is in
 * `sensitive_exact_keys` or matches `sensitive_key_pattern`. Values that are null or booleans are
 * never secrets.
 */
export interface RedactionRules {
  key_strip_pattern: string;
  sensitive_key_pattern: string;
  sensitive_exact_keys: string[];
  not_sensitive_pattern: string;
  always_sensitive_keys: string[];
  value_patterns: Array<{ name: string; pattern: string }>;
  /** The same patterns combined into as few alternations as flags allow; a match of any is a match of one. */
  value_match_patterns: string[];
  /** Shorter strings are never searched: no credential above is that short. */
  min_value_length: number;
  replacement: string;
}

const re2Source = (r: RegExp): string => (r.flags.includes("i") ? `(?i)${r.source}` : r.source);

/**
 * The value patterns as (at most) two alternations, case-sensitive and case-insensitive: a policy
 * then runs two regex matches per string instead of one per pattern (measured in PERFORMANCE.md).
 * A leading `(?i)` rather than `(?i:…)` groups, which not every regex dialect in between accepts.
 */
function combinedPatterns(): string[] {
  const join = (ps: readonly ValuePattern[]) => ps.map((p) => `(?:${p.pattern.source})`).join("|");
  const sensitive = VALUE_PATTERNS.filter((p) => !p.pattern.flags.includes("i"));
  const insensitive = VALUE_PATTERNS.filter((p) => p.pattern.flags.includes("i"));
  return [join(sensitive), ...(insensitive.length > 0 ? [`(?i)${join(insensitive)}`] : [])];
}

/** {@link RedactionRules} built from the very regexes {@link isSensitiveKey} and {@link redactString} use. */
export function redactionRules(): RedactionRules {
  return {
    key_strip_pattern: KEY_STRIP.source,
    sensitive_key_pattern: SENSITIVE_KEY.source,
    sensitive_exact_keys: [...SENSITIVE_EXACT].sort(),
    not_sensitive_pattern: NOT_SENSITIVE.source,
    always_sensitive_keys: [...ALWAYS_SENSITIVE].sort(),
    value_patterns: VALUE_PATTERNS.map((p) => ({ name: p.name, pattern: re2Source(p.pattern) })),
    value_match_patterns: combinedPatterns(),
    min_value_length: MIN_SECRET_LENGTH,
    replacement: REDACTED,
  };
}

/** Masks credential-looking substrings in a string, keeping the surrounding text. */
export function redactString(input: string): string {
  let out = clean(input);
  if (out.length > REDACTION_LIMITS.maxStringLength) {
    out = `${out.slice(0, REDACTION_LIMITS.maxStringLength)}…[TRUNCATED ${out.length - REDACTION_LIMITS.maxStringLength} chars]`;
  }
  if (out.length < MIN_SECRET_LENGTH || !ANY_PATTERN.test(out)) return out;
  for (const p of VALUE_PATTERNS) {
    p.pattern.lastIndex = 0;
    if (p.pattern.test(out)) {
      p.pattern.lastIndex = 0;
      out = out.replace(p.pattern, p.replace as (substring: string, ...args: string[]) => string);
    }
  }
  return out;
}

/** jsonb rejects NUL and unpaired surrogates; replace them instead of failing the whole batch. */
function clean(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must go.
  const noNul = s.includes("\u0000") ? s.replace(/\u0000/g, "\uFFFD") : s;
  // Almost no string holds a surrogate at all; one plain scan spares the lookaround regex.
  return ANY_SURROGATE.test(noNul) ? noNul.replace(LONE_SURROGATE, "\uFFFD") : noNul;
}

const ANY_SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Own-property assignment that treats `__proto__` as data, not as the prototype setter. */
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty is needed only for that one key, and is far slower than a plain store.
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * Deep copy of `value` with secrets masked: values under sensitive keys become `[REDACTED]`, and
 * credential shapes inside strings are masked in place. Output is plain JSON data.
 */
export function redact(value: unknown): unknown {
  return walk(value, 0, []);
}

function walk(value: unknown, depth: number, ancestors: object[]): unknown {
  switch (typeof value) {
    case "string":
      return redactString(value);
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "boolean":
      return value;
    case "bigint":
      return value.toString();
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return null;
  const obj = value as object;
  // Only the objects on the path from the root can close a cycle, and that path is at most
  // maxDepth long, so a plain stack does the job of a WeakSet per redacted tree, which costs the
  // collector more (an ephemeron table each).
  if (ancestors.includes(obj)) return "[CIRCULAR]";
  if (depth >= REDACTION_LIMITS.maxDepth) return "[TRUNCATED: too deep]";
  if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? null : obj.toISOString();
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) return `[BINARY ${obj.byteLength} bytes]`;
  if (obj instanceof Error) return { name: obj.name, message: redactString(obj.message) };
  ancestors.push(obj);
  try {
    if (Array.isArray(obj) || obj instanceof Set) return walkArray([...obj], depth, ancestors);
    const source = obj instanceof Map ? mapToRecord(obj) : (obj as Record<string, unknown>);
    return walkObject(source, depth, ancestors);
  } finally {
    ancestors.pop();
  }
}

function walkArray(items: unknown[], depth: number, ancestors: object[]): unknown[] {
  const out = items.slice(0, REDACTION_LIMITS.maxArrayItems).map((v) => {
    const r = walk(v, depth + 1, ancestors);
    return r === undefined ? null : r;
  });
  if (items.length > REDACTION_LIMITS.maxArrayItems) {
    out.push(`[TRUNCATED ${items.length - REDACTION_LIMITS.maxArrayItems} items]`);
  }
  return out;
}

function walkObject(source: Record<string, unknown>, depth: number, ancestors: object[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const all = Object.keys(source);
  const keys = all.length > REDACTION_LIMITS.maxObjectKeys ? all.slice(0, REDACTION_LIMITS.maxObjectKeys) : all;
  // Output keys in sorted order: the audit hash's canonical JSON is then a native JSON.stringify.
  if (!isSorted(keys)) keys.sort();
  for (const rawKey of keys) {
    const v = source[rawKey];
    const key = clean(rawKey);
    if (isSensitiveKey(key) && v !== null && v !== undefined && typeof v !== "boolean") {
      assign(out, key, REDACTED);
      continue;
    }
    const r = walk(v, depth + 1, ancestors);
    if (r !== undefined) assign(out, key, r);
  }
  if (all.length > REDACTION_LIMITS.maxObjectKeys) {
    out["[truncated_keys]"] = all.length - REDACTION_LIMITS.maxObjectKeys;
  }
  return out;
}

/** A Map as a prototype-less record (keys stringified; a later duplicate wins, as it would in JSON). */
function mapToRecord(map: Map<unknown, unknown>): Record<string, unknown> {
  const record = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of map) record[String(k)] = v;
  return record;
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if ((keys[i - 1] as string) > (keys[i] as string)) return false;
  return true;
}

/**
 * `Object.keys(o)` in sorted order; already-sorted keys cost a scan, not a sort (a sort allocates
 * its work array).
 */
export function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  return isSorted(keys) ? keys : keys.sort();
}
