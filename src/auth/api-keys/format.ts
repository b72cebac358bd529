import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Alphanumerics only: no `_`, so `sark_<env>_<id>_<secret>` splits unambiguously. */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 16 base62 chars ≈ 95 bits: ids never collide in practice and are not guessable. */
export const API_KEY_ID_LENGTH = 16;
/** 43 base62 chars ≈ 256 bits of randomness. */
export const API_KEY_SECRET_LENGTH = 43;

const KEY_PATTERN = new RegExp(
  `^sark_(dev|stg|prod)_([0-9A-Za-z]{${API_KEY_ID_LENGTH}})_([0-9A-Za-z]{${API_KEY_SECRET_LENGTH}})$`,
);

/** Uniform random base62 string (rejection sampling: bytes ≥ 248 are discarded to avoid modulo bias). */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62];
    }
  }
  return out;
}

export interface ParsedApiKey {
  env: string;
  id: string;
  secret: string;
}

/** Formats the full key shown to the user once. */
export function formatApiKey(env: string, id: string, secret: string): string {
  return `sark_${env}_${id}_${secret}`;
}

/** Splits a presented key; `undefined` when it is not a SARK key at all. */
export function parseApiKey(key: string): ParsedApiKey | undefined {
  const m = KEY_PATTERN.exec(key);
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  return { env: m[1], id: m[2], secret: m[3] };
}

/**
 * The stored form of a secret: SHA-256, tagged with its algorithm. The secret carries 256 random
 * bits, so a fast hash is already infeasible to invert and a slow password hash would only add
 * milliseconds to every request; no pepper, so rotating the JWT secret never breaks API keys.
 * The id is mixed in so a hash is bound to its key row.
 */
export function hashApiKeySecret(id: string, secret: string): string {
  return `sha256:${createHash("sha256").update(`sark-api-key:${id}:${secret}`).digest("hex")}`;
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function apiKeySecretMatches(id: string, secret: string, stored: string): boolean {
  const a = Buffer.from(hashApiKeySecret(id, secret));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}
