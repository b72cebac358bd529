/**
 * Which database errors mean "the database is unreachable or went away" rather than "this query
 * is wrong". Those become 503 DEPENDENCY_UNAVAILABLE (retry shortly) instead of 500, in one place.
 */

/** SQLSTATEs of a lost or refused connection: class 08, shutdowns (57P01–57P03), too many connections. */
const CONNECTION_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);

/** Socket-level failures reported by node:net / DNS. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * node-postgres and pg-pool report some failures only by message (no code): a connection that
 * ended, a pool connect timeout, a client that already broke.
 */
const DRIVER_MESSAGES = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /is not queryable$/];

function matchesOne(e: unknown): boolean {
  if (!e || typeof e !== "object") return false;
  const code = "code" in e && typeof e.code === "string" ? e.code : undefined;
  if (code && (code.startsWith("08") || CONNECTION_SQLSTATES.has(code) || SOCKET_CODES.has(code))) return true;
  const message = e instanceof Error ? e.message : undefined;
  return message !== undefined && DRIVER_MESSAGES.some((re) => re.test(message));
}

/**
 * True when `e` (or an error it wraps through `cause` or an AggregateError) is a connection-class
 * failure of the database driver. Query errors (constraint violations, syntax) are not.
 */
export function isConnectionFailure(e: unknown, depth = 0): boolean {
  if (depth > 5 || !e || typeof e !== "object") return false;
  if (matchesOne(e)) return true;
  if (e instanceof AggregateError && e.errors.some((inner) => isConnectionFailure(inner, depth + 1))) return true;
  return "cause" in e && isConnectionFailure(e.cause, depth + 1);
}
