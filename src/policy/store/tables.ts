import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** jsonb: read as parsed JSON, written as a JSON string (identical on PGlite and PostgreSQL). */
type Json<T> = ColumnType<T, string, string>;

export type CompileStatus = "ok" | "error";
export type TestStatus = "passed" | "failed" | "none";

export interface TestResult {
  name: string;
  pass: boolean;
  error?: string;
}

/** Tables of migration 0005. */
export type PolicyTables = {
  policies: {
    id: string;
    name: string;
    description: Generated<string>;
    active_version: number | null;
    created_by: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  policy_versions: {
    policy_id: string;
    version: number;
    content: string;
    sha256: string;
    author_id: string | null;
    author: string;
    compile_status: CompileStatus;
    compile_errors: Json<unknown[]>;
    test_status: TestStatus;
    test_results: Json<TestResult[]>;
    created_at: Timestamp;
  };
  policy_data: {
    path: string;
    value: Json<unknown>;
    updated_by: string | null;
    updated_at: Timestamp;
  };
  policy_state: {
    id: number;
    revision: ColumnType<string | number | bigint, number, number>;
    updated_at: Timestamp;
  };
};
