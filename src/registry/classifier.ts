import type { Sensitivity } from "../core/sensitivity.js";

/** Words that reveal a tool touches credentials or secrets: the most sensitive class. */
const CREDENTIAL_WORDS = new Set([
  "password",
  "passwords",
  "passwd",
  "passphrase",
  "secret",
  "secrets",
  "credential",
  "credentials",
  "token",
  "tokens",
  "apikey",
  "apikeys",
  "privatekey",
  "keychain",
  "keystore",
  "vault",
  "oauth",
  "totp",
  "mfa",
  "ssh",
]);

/** Verbs that destroy or irreversibly change state. */
const DESTRUCTIVE_WORDS = new Set([
  "delete",
  "deletes",
  "remove",
  "removes",
  "drop",
  "drops",
  "destroy",
  "destroys",
  "truncate",
  "purge",
  "wipe",
  "erase",
  "kill",
  "terminate",
  "revoke",
  "overwrite",
  "shutdown",
  "uninstall",
  "exec",
  "execute",
  "executes",
  "shell",
  "reset",
]);

/** Verbs that only read. Counted in the tool name only: descriptions say "returns" or "lists" of anything. */
const READ_ONLY_WORDS = new Set([
  "get",
  "list",
  "read",
  "search",
  "find",
  "query",
  "describe",
  "show",
  "view",
  "fetch",
  "lookup",
  "count",
  "check",
  "status",
  "inspect",
  "browse",
  "preview",
]);

/** Two-word credential phrases that only show up after splitting ("api_key", "private-key", "accessKey"). */
const CREDENTIAL_PAIRS = new Set(["api key", "private key", "access key", "secret key", "client secret"]);

export interface SensitivityInput {
  name: string;
  description?: string;
  annotations?: Record<string, unknown>;
}

export interface SensitivityDetection {
  sensitivity_level: Sensitivity;
  /** Which rule decided: `credentials`, `destructive`, `read_only` or `default`. */
  rule: "credentials" | "destructive" | "read_only" | "default";
  /** The words (or MCP annotation) that triggered the rule. */
  matched: string[];
}

/** Splits identifiers and prose into lower-case words: camelCase, snake_case, kebab-case, dots, spaces. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

function pairs(list: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < list.length; i++) out.push(`${list[i]} ${list[i + 1]}`);
  return out;
}

/**
 * Default sensitivity for a tool whose registrant did not declare one. Rules in order, first match
 * wins: credentials/secrets → critical; destructive verbs (or MCP `destructiveHint: true`) → high;
 * read-only verbs in the name (or `readOnlyHint: true`) → low; otherwise medium. A keyword heuristic
 * errs towards the higher level; a reviewer corrects it with a sensitivity override.
 */
export function detectSensitivity(input: SensitivityInput): SensitivityDetection {
  const nameWords = words(input.name);
  const all = [...nameWords, ...words(input.description ?? "")];
  const credentials = [
    ...all.filter((w) => CREDENTIAL_WORDS.has(w)),
    ...pairs(all).filter((p) => CREDENTIAL_PAIRS.has(p)),
  ];
  if (credentials.length > 0)
    return { sensitivity_level: "critical", rule: "credentials", matched: unique(credentials) };

  const destructive = all.filter((w) => DESTRUCTIVE_WORDS.has(w));
  if (input.annotations?.destructiveHint === true) destructive.push("destructiveHint");
  if (destructive.length > 0) return { sensitivity_level: "high", rule: "destructive", matched: unique(destructive) };

  const readOnly = nameWords.filter((w) => READ_ONLY_WORDS.has(w));
  if (input.annotations?.readOnlyHint === true) readOnly.push("readOnlyHint");
  if (readOnly.length > 0) return { sensitivity_level: "low", rule: "read_only", matched: unique(readOnly) };

  return { sensitivity_level: "medium", rule: "default", matched: [] };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
