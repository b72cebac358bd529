import type { DatabaseConfig } from "../platform/config/database.js";
import { openDatabase } from "../platform/db/database.js";
import { DatabaseUnreachableError } from "./errors.js";

/** `host:port/database` of a PostgreSQL URL, without the credentials. */
export function describeDatabaseUrl(url: string): string {
  const u = new URL(url);
  const host = u.hostname || u.searchParams.get("host") || "localhost";
  const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || decodeURIComponent(u.username);
  return `${host}:${u.port || "5432"}/${database}`;
}

/** The driver's own words: node:net reports a refused dual-stack connect as an AggregateError with no message. */
export function driverReason(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return driverReason(e.errors[0]);
  if (e instanceof Error && e.message) return e.message;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : String(e);
}

/**
 * Fails with one clear line when PostgreSQL does not answer, before a command builds its context
 * (whose shutdown would otherwise retry, log and end in a driver stack trace). PGlite is in-process.
 */
export async function ensureDatabaseReachable(config: DatabaseConfig): Promise<void> {
  if (!config.url) return;
  const database = await openDatabase({ config, dataDir: undefined });
  try {
    await database.ping();
  } catch (e) {
    const message = `cannot connect to PostgreSQL at ${describeDatabaseUrl(config.url)}: ${driverReason(e)}`;
    throw new DatabaseUnreachableError(message, { cause: e });
  } finally {
    await database.close().catch(() => undefined);
  }
}
