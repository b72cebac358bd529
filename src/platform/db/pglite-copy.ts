import type { Transaction } from "@electric-sql/pglite";

/*
 * PGlite's `copyRows`. `COPY … FROM '/dev/blob'` stores the same values, but inside the audit writer
 * it ran at about half the ingest of a one-statement INSERT (docs/PERFORMANCE.md, "One audit
 * encoder, one bulk insert"), so PGlite turns the COPY text into that INSERT instead: the rows as
 * one jsonb array read by `jsonb_to_recordset`, inserted in line order.
 */

const UNESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };
const COLUMN_TYPES_SQL = `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
  where attrelid = $1::regclass and attnum > 0 and not attisdropped`;

/** One field of COPY's text format as its value: `\N` is NULL, backslash escapes are undone. */
function unescapeField(field: string): string | null {
  if (field === "\\N") return null;
  if (!field.includes("\\")) return field;
  return field.replace(/\\(.)/g, (_, c: string) => {
    // copyFields never writes octal or hex escapes; refusing them beats storing something else.
    if (/[0-7x]/.test(c)) throw new Error("COPY octal and hex escapes are not supported on PGlite");
    return UNESCAPES[c] ?? c;
  });
}

interface InsertStatement {
  sql: string;
  /** Each column's `"name":` member key. */
  keys: string[];
}

/**
 * The INSERT for `columns` of `table`; `$1` is the jsonb array of rows. Every value travels as a
 * JSON string (or null) and is cast to its column's type from the catalog, so each type's input
 * function reads the same text COPY would have given it. (A jsonb value spliced in verbatim would
 * save the server a parse, but could then set other columns unless checked, and checking costs
 * the same.)
 */
async function insertStatement(tx: Transaction, table: string, columns: readonly string[]): Promise<InsertStatement> {
  const found = await tx.query<{ name: string; type: string }>(COLUMN_TYPES_SQL, [table]);
  const types = new Map(found.rows.map((r) => [r.name, r.type]));
  const names = columns.map((c) => JSON.stringify(c));
  const values = columns.map((c, i) => {
    const type = types.get(c);
    if (!type) throw new Error(`copyRows: ${table} has no column ${c}`);
    return `${names[i]}::${type}`;
  });
  const defs = names.map((name) => `${name} text`);
  // `#n` is the line number: ordering by it makes the insertion (and identity) order the line order.
  return {
    sql: `insert into ${table} (${names.join(", ")}) select ${values.join(", ")}
    from jsonb_to_recordset($1::jsonb) as r(${defs.join(", ")}, "#n" integer) order by "#n"`,
    keys: names.map((name) => `${name}:`),
  };
}

/**
 * `copyRows` for one PGlite database. Statements are built once per table and column list (a
 * catalog read); a table whose column types change afterwards needs a new `openDatabase`.
 */
export function pgliteCopyRows(): (
  tx: Transaction,
  table: string,
  columns: readonly string[],
  rows: string,
) => Promise<void> {
  const statements = new Map<string, InsertStatement>();
  return async (tx, table, columns, rows) => {
    const key = `${table}(${columns.join(",")})`;
    let statement = statements.get(key);
    if (!statement) {
      statement = await insertStatement(tx, table, columns);
      statements.set(key, statement);
    }
    const { sql, keys } = statement;
    const lines = rows.split("\n");
    let array = "[";
    // Every line ends in a newline, so the last piece is empty.
    for (let n = 0; n < lines.length - 1; n++) {
      const fields = (lines[n] as string).split("\t");
      if (fields.length !== columns.length) throw new Error(`copyRows: line ${n + 1} has ${fields.length} fields`);
      array += n === 0 ? '{"#n":' : ',{"#n":';
      array += n;
      for (let i = 0; i < fields.length; i++) {
        const value = unescapeField(fields[i] as string);
        array += `,${keys[i]}${value === null ? "null" : JSON.stringify(value)}`;
      }
      array += "}";
    }
    await tx.query(sql, [`${array}]`]);
  };
}
