import { AppError } from "../errors.js";
import { unstorableText } from "./input-guard.js";

/**
 * Opaque keyset cursors: base64url JSON of the last row's sort key. Opaque so clients cannot
 * depend on the encoding; validated so a tampered cursor is a 400, not a 500.
 */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

const invalidCursor = (): AppError =>
  new AppError("INVALID_CURSOR", "cursor is not valid; pass next_cursor from a previous page unchanged");

/** Longest value a cursor field may carry: ids are far shorter, and the cursor is compared in SQL. */
const MAX_FIELD_LENGTH = 200;

/**
 * Decodes a cursor into its sort-key fields, each a short string of storable text. Anything else
 * (not base64url JSON, a missing or ill-typed field, NUL) is 400 INVALID_CURSOR.
 */
export function decodeCursor<K extends string>(cursor: string, fields: readonly K[]): Record<K, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalidCursor();
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalidCursor();
  const obj = parsed as Record<string, unknown>;
  const out = new Map<K, string>();
  for (const f of fields) {
    const v = Object.hasOwn(obj, f) ? obj[f] : undefined;
    const text = typeof v === "string" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : undefined;
    if (text === undefined || text.length > MAX_FIELD_LENGTH || unstorableText(text)) throw invalidCursor();
    out.set(f, text);
  }
  return Object.fromEntries(out) as Record<K, string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The cursor every list keyed by a uuid `id` uses (servers, users, policies): the id of the last
 * row of the previous page, lower-cased. A well-formed cursor whose id is not a uuid would reach
 * PostgreSQL as a uuid comparison and fail there (22P02), so it is an INVALID_CURSOR here.
 */
export function decodeIdCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const { id } = decodeCursor(cursor, ["id"] as const);
  if (!UUID.test(id)) throw invalidCursor();
  return id.toLowerCase();
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  has_more: boolean;
  total?: number;
}
