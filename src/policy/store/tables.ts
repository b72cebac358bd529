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
  /** Read-only views of other features' tables, for the evaluate API's lookups. */
  servers: {
    id: string;
    name: string;
    transport: string;
    sensitivity_level: string;
    owner_id: string | null;
    team: string | null;
    tags: string[];
  };
  tools: {
    id: string;
    server_id: string;
    name: string;
    sensitivity_level: string;
    requires_approval: boolean;
    annotations: Record<string, unknown>;
  };
  users: {
    id: string;
    username: string;
    email: string | null;
    roles: string[];
    teams: string[];
    auth_provider: string;
    mfa_enabled: boolean;
    is_active: boolean;
  };
};
