import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFields } from "./copy-text.js";
import { pgliteCopyRows } from "./pglite-copy.js";

const COLUMNS = ["id", "at", "label", "doc", "raw", "n"] as const;
const TABLE = `(seq integer generated always as identity, id uuid, at timestamptz, label text, doc jsonb, raw json, n integer)`;
const SELECT = "select seq, id::text, at::text, label, doc::text, raw::text, n from";

const ROWS: Array<Array<string | null>> = [
  [
    "0192f3e4-7b1c-7d2e-9f00-1234567890ab",
    "2026-12-07T10:00:00.123Z",
    "a\tb\nc\rd\\e",
    '{"b":1,"a":[true,null]}',
    '{"b": 1,  "a":2}',
    "7",
  ],
  [null, null, "\\N", '"x\\ny"', "[1, 2]", null],
  ["0192f3e4-7b1c-7d2e-9f00-1234567890ac", "2026-12-07 11:00:00+01", "", "null", null, "-3"],
  ["0192f3e4-7b1c-7d2e-9f00-1234567890ad", "2026-12-07T12:00:00Z", "\u0001\u202e😀\"'", "{}", "{}", "0"],
];
const TEXT = ROWS.map((r) => `${copyFields(r)}\n`).join("");

describe("pgliteCopyRows", () => {
  let pglite: PGlite;
  beforeAll(async () => {
    pglite = await PGlite.create();
    await pglite.exec(`create table via_copy ${TABLE}; create table via_insert ${TABLE}`);
  });
  afterAll(() => pglite.close());

  it("stores what COPY stores, in line order", async () => {
    const copyRows = pgliteCopyRows();
    await pglite.transaction(async (tx) => {
      await tx.query(`copy via_copy (${COLUMNS.join(", ")}) from '/dev/blob'`, [], { blob: new Blob([TEXT]) });
      await copyRows(tx, "via_insert", COLUMNS, TEXT);
      // A second call reuses the statement.
      await copyRows(tx, "via_insert", COLUMNS, `${copyFields(ROWS[0] ?? [])}\n`);
    });
    const copied = (await pglite.query<Record<string, unknown>>(`${SELECT} via_copy order by seq`)).rows;
    const inserted = (await pglite.query<Record<string, unknown>>(`${SELECT} via_insert order by seq`)).rows;
    expect(inserted.slice(0, ROWS.length)).toEqual(copied);
    expect(inserted[ROWS.length]).toEqual({ ...copied[0], seq: ROWS.length + 1 });
  });

  it("refuses a jsonb field that is not one JSON value, as COPY does", async () => {
    const copyRows = pgliteCopyRows();
    const row = `${copyFields(["0192f3e4-7b1c-7d2e-9f00-1234567890ab", null, null, '1,"n":2', null, null])}\n`;
    await expect(pglite.transaction((tx) => copyRows(tx, "via_insert", COLUMNS, row))).rejects.toThrow();
  });

  it("refuses a line whose field count does not match the columns", async () => {
    const copyRows = pgliteCopyRows();
    await expect(pglite.transaction((tx) => copyRows(tx, "via_insert", COLUMNS, "a\tb\n"))).rejects.toThrow(
      /line 1 has 2 fields/,
    );
  });
});
