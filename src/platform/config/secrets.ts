/** Example secrets from docs and templates that must never protect a production deployment. */
const KNOWN_EXAMPLE_SECRETS = new Set([
  "changeme",
  "change-me",
  "secret",
  "your-secret-key",
  "your-secret-key-here",
  "dev-secret-key-change-in-production",
  "development-secret-key-change-in-production-please",
  "change-this-to-a-long-random-secret-in-production!!",
]);

/** Words that make up placeholder secrets ("changeme-changeme-…", "your-jwt-secret-key-here"). */
const PLACEHOLDER_WORDS =
  /change|me|secret|password|passwd|example|default|placeholder|your|key|here|replace|insecure|sark|jwt|token|test|development|dev|production|prod|please|todo|xxx/g;

/**
 * Why a long HS256 secret is still guessable, or `undefined`. Length alone is not strength: 36 × `a`
 * or `changeme` four times pass a length check. The thresholds leave real random secrets alone:
 * 32 hex characters from a CSPRNG have fewer than 8 distinct characters with negligible probability
 * (none in 200,000 draws), whereas "fewer than 16" would refuse about a quarter of
 * `openssl rand -hex 32` outputs, which have only 16 possible characters.
 */
export function secretWeakness(secret: string): string | undefined {
  const distinct = new Set(secret).size;
  if (distinct < 8) return `it uses only ${distinct} distinct characters (at least 8 needed)`;
  for (let period = 1; period <= secret.length / 2; period++) {
    // The message names the period, never the characters: config errors are printed and logged.
    if (isPeriodic(secret, period)) return `it repeats a pattern of ${period} characters`;
  }
  const remainder = secret
    .toLowerCase()
    .replace(PLACEHOLDER_WORDS, "")
    .replace(/[^a-z0-9]/g, "");
  if (remainder.length < 16) return "it is made of placeholder words (change, secret, password, key, …)";
  return undefined;
}

/** True when every character equals the one `period` places before it. */
function isPeriodic(s: string, period: number): boolean {
  for (let i = period; i < s.length; i++) if (s[i] !== s[i - period]) return false;
  return true;
}

/**
 * Records why a production signing secret is unacceptable: missing, shorter than 32 characters, a
 * published example, or predictable (see `secretWeakness`).
 */
export function checkProductionSecret(
  name: string,
  secret: string | undefined,
  purpose: string,
  problems: string[],
): void {
  if (!secret) problems.push(`${name} is required in production (${purpose})`);
  else if (secret.length < 32) problems.push(`${name} must be at least 32 characters in production`);
  else if (KNOWN_EXAMPLE_SECRETS.has(secret.toLowerCase())) problems.push(`${name} is a published example value`);
  else {
    const weakness = secretWeakness(secret);
    if (weakness) problems.push(`${name} is too predictable for production: ${weakness}`);
  }
}
