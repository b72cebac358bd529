import { AppError } from "../errors.js";

/**
 * Opaque keyset cursors: base64url JSON of the last row's sort key. Opaque so clients cannot
 * depend on the encoding; validated so a tampered cursor is a 400, not a 500.
 */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

export function decodeCursor<K extends string>(cursor: string, fields: readonly K[]): Record<K, string> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (parsed && typeof parsed === "object") {
      const obj = parsed as Record<string, unknown>;
      if (fields.every((f) => typeof obj[f] === "string" || typeof obj[f] === "number")) {
        return Object.fromEntries(fields.map((f) => [f, String(obj[f])])) as Record<K, string>;
      }
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError("INVALID_CURSOR", "cursor is not valid; pass next_cursor from a previous page unchanged");
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  has_more: boolean;
  total?: number;
}
