import { v7 as uuidv7 } from "uuid";
import type { Caller } from "../../src/core/caller.js";
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
  return {
    principal: { id, username, email: null, roles, teams: [], groups: [] },
    auth: { method: "password", mfa: false },
    request: { ip: "127.0.0.1", userAgent: null, requestId: `req-${username}` },
  };
}

export interface RouteCall {
  method: string;
  url: string;
  body?: unknown;
}

/**
 * The common auth cases for a route: no credentials → 401 UNAUTHENTICATED, and, when a
 * `deniedToken` is given, that caller → 403 POLICY_DENIED.
 */
export async function expectAuthCases(t: TestApp, call: RouteCall, deniedToken?: string): Promise<void> {
  const anonymous = await t.request(call);
  if (anonymous.statusCode !== 401)
    throw new Error(`${call.method} ${call.url} without a token: ${anonymous.statusCode}`);
  if (anonymous.json().error.code !== "UNAUTHENTICATED") throw new Error(`unexpected 401 body ${anonymous.body}`);
  if (!deniedToken) return;
  const denied = await t.request({ ...call, token: deniedToken });
  if (denied.statusCode !== 403 || denied.json().error.code !== "POLICY_DENIED") {
    throw new Error(`${call.method} ${call.url} as denied caller: ${denied.statusCode} ${denied.body}`);
  }
}

/** Minimal RFC 4180 parser for checking exports: quoted fields, doubled quotes, CRLF records. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}
