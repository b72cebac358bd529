const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/**
 * Fields of one row in COPY's text format, tab-separated, without the line end: `\N` is NULL, and
 * backslash, tab, newline and carriage return are escaped (the other control characters, like
 * every other character, stand for themselves). A field is any value's text form, JSON included.
 */
export function copyFields(values: ReadonlyArray<string | null>): string {
  let out = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? null;
    const field = v === null ? "\\N" : NEEDS_ESCAPE.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] ?? c) : v;
    out += i === 0 ? field : `\t${field}`;
  }
  return out;
}
