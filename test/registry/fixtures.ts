import { v7 as uuidv7 } from "uuid";
import type { Principal } from "../../src/auth/principal.js";
import type { Caller } from "../../src/registry/service.js";
import type { TestApp } from "../helpers/app.js";

/** A valid registration body; `overrides` replace fields. */
export function serverBody(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    description: `The ${name} server`,
    transport: "streamable-http",
    endpoint: `https://mcp.example.test/${encodeURIComponent(name)}`,
    tags: ["test"],
    tools: [
      {
        name: "read_file",
        description: "Reads a file",
        input_schema: { type: "object", properties: { path: { type: "string" } }, required: ["path"] },
      },
      { name: "delete_file", description: "Deletes a file" },
    ],
    ...overrides,
  };
}

/** Inserts a user row directly (service-level tests run without the auth routes) and returns a caller for it. */
export async function directCaller(t: TestApp, username: string, roles: string[]): Promise<Caller> {
  const id = uuidv7();
  await t.ctx.database.db
    .withTables<{ users: { id: string; username: string; roles: string[] } }>()
    .insertInto("users")
    .values({ id, username, roles })
    .execute();
  const principal: Principal = {
    id,
    username,
    email: null,
    roles,
    teams: [],
    authMethod: "password",
    mfa: false,
  };
  return { principal, actor: { user_id: id, username }, facts: { requestId: `req-${username}` } };
}
