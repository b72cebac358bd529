import type { Transaction } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { ACTIONS, type Action } from "../core/actions.js";
import { type AuditRecorder, auditActorOf } from "../core/audit.js";
import type { Authorizer, PolicyResource } from "../core/authorizer.js";
import type { Caller, Principal } from "../core/caller.js";
import type { Clock } from "../platform/clock.js";
import type { BaseTables, Database } from "../platform/db/database.js";
import { AppError, type FieldError, notFound, validationFailed } from "../platform/errors.js";
import { policyServer, serverValues, toolValues, toServer } from "./mapping.js";
import {
  deleteServerRow,
  FOREIGN_KEY_VIOLATION,
  findServerRow,
  insertServerRow,
  insertToolRows,
  pgErrorCode,
  type RegistryDb,
  type ServerRow,
  type ServerValues,
  type ToolValues,
  toolCounts,
  toolRowsOf,
  UNIQUE_VIOLATION,
  updateServerRow,
} from "./repository.js";
import type { ServerCache } from "./server-cache.js";
import type { RegistryTables, Server, ServerPatch, ServerRequest } from "./types.js";
import { semanticErrors, TRANSPORT_REQUIRED, withInferredTransport } from "./validation.js";

export interface RegistryServiceDeps {
  database: Database;
  audit: AuditRecorder;
  authorizer: Authorizer;
  clock: Clock;
}

/** A registration checked and turned into rows, ready to insert. */
export interface PreparedServer {
  server: ServerValues;
  tools: ToolValues[];
  /** Where this server sits in the request body, for field errors found while writing. */
  prefix: string;
}

const isAdmin = (p: Principal): boolean => p.roles.includes("admin");

/**
 * Shared building blocks of the registry service: row preparation, authorization, persistence and
 * audit of one registration. `createRegistryService` and the bulk path both use them.
 */
export function createRegistryCore(deps: RegistryServiceDeps) {
  const db = deps.database.db.withTables<RegistryTables>();
  const now = () => new Date(deps.clock.now());

  function authorize(caller: Caller, action: Action, resource?: PolicyResource) {
    return deps.authorizer.require(caller, action, resource);
  }

  /** Validates one registration (beyond its JSON shape) and builds its rows; throws 400/403. */
  function prepare(caller: Caller, request: ServerRequest, prefix = "body"): PreparedServer {
    const input = withInferredTransport(request);
    if (input === undefined) {
      throw validationFailed(`server '${request.name}' is invalid`, [
        { path: `${prefix}/transport`, message: TRANSPORT_REQUIRED },
      ]);
    }
    const fields = semanticErrors(input, prefix);
    if (fields.length > 0) throw validationFailed(`server '${input.name}' is invalid`, fields);
    const ownerId = input.owner_id === undefined ? caller.principal.id : input.owner_id;
    if (ownerId !== caller.principal.id && !isAdmin(caller.principal)) {
      throw new AppError("FORBIDDEN", "only admins may register a server for another owner");
    }
    const id = uuidv7();
    const at = now();
    const tools = (input.tools ?? []).map((t) => toolValues(id, t, at));
    return { server: serverValues(id, input, ownerId, tools, at), tools, prefix };
  }

  /**
   * Assigning a team hands the server to that team's members (the policy lets them manage it), so
   * only a member of the team, or an admin, may assign one. Membership is the caller's own teams,
   * or what the policy says for memberships kept in policy data (data.sark.teams): the caller must
   * be able to manage a server that belongs to that team alone.
   */
  async function requireTeamMember(
    caller: Caller,
    team: string | null | undefined,
    server: Parameters<typeof policyServer>[0],
  ): Promise<void> {
    const p = caller.principal;
    if (team === undefined || team === null || isAdmin(p) || p.teams.includes(team)) return;
    const teamOnly = { ...policyServer(server), owner_id: null, team_id: team };
    const decision = await deps.authorizer.authorize(caller, ACTIONS.serverUpdate, { server: teamOnly });
    if (decision.allow) return;
    throw new AppError(
      "FORBIDDEN",
      `you are not a member of team '${team}'; only its members or an admin may assign a server to it`,
    );
  }

  /** Maps constraint violations to the caller's terms; never passes driver text through. */
  function translateWriteError(e: unknown, name: string, ownerId: string | null, prefix = "body"): unknown {
    const code = pgErrorCode(e);
    if (code === UNIQUE_VIOLATION) return new AppError("CONFLICT", `a server named '${name}' is already registered`);
    if (code === FOREIGN_KEY_VIOLATION) {
      return validationFailed(`owner_id '${ownerId}' is not a known user`, [
        { path: `${prefix}/owner_id`, message: "is not a known user" },
      ]);
    }
    return e;
  }

  async function insertPrepared(tx: RegistryDb, p: PreparedServer): Promise<Server> {
    try {
      const row = await insertServerRow(tx, p.server);
      const tools = await insertToolRows(tx, p.tools);
      return toServer(row, tools.length, tools);
    } catch (e) {
      throw translateWriteError(e, p.server.name, p.server.owner_id, p.prefix);
    }
  }

  /** Records the registration inside the transaction that inserted the server (the outbox). */
  async function auditRegistered(
    tx: Transaction<BaseTables & RegistryTables>,
    caller: Caller,
    s: Server,
    bulk = false,
  ): Promise<void> {
    await deps.audit.recordInTransaction(tx, {
      event_type: "server.registered",
      severity: "medium",
      outcome: "success",
      actor: auditActorOf(caller),
      action: ACTIONS.serverRegister,
      resource: { type: "server", id: s.id, name: s.name },
      request_id: caller.request.requestId,
      details: {
        transport: s.transport,
        sensitivity_level: s.sensitivity_level,
        owner_id: s.owner_id,
        team: s.team,
        tool_count: s.tool_count,
        ...(bulk ? { bulk: true } : {}),
      },
    });
  }

  return { db, now, authorize, prepare, requireTeamMember, insertPrepared, translateWriteError, auditRegistered };
}

export type RegistryCore = ReturnType<typeof createRegistryCore>;

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Turns a validated PATCH into column changes, with the list of fields that really change. */
function patchChanges(row: ServerRow, patch: ServerPatch): { changes: Partial<ServerValues>; changed: string[] } {
  const changes: Partial<ServerValues> = {};
  const changed: string[] = [];
  const set = <K extends keyof ServerValues>(
    field: string,
    key: K,
    value: ServerValues[K] | undefined,
    same: boolean,
  ) => {
    if (value === undefined || same) return;
    changes[key] = value;
    changed.push(field);
  };
  set("name", "name", patch.name, patch.name === row.name);
  set("description", "description", patch.description, patch.description === row.description);
  set("transport", "transport", patch.transport, patch.transport === row.transport);
  set("endpoint", "endpoint", patch.endpoint, patch.endpoint === row.endpoint);
  set("command", "command", patch.command, patch.command === row.command);
  set(
    "sensitivity_level",
    "sensitivity_level",
    patch.sensitivity_level,
    patch.sensitivity_level === row.sensitivity_level,
  );
  set("status", "status", patch.status, patch.status === row.status);
  set("owner_id", "owner_id", patch.owner_id, patch.owner_id === row.owner_id);
  set("team", "team", patch.team, patch.team === row.team);
  if (patch.args) set("args", "args", JSON.stringify(patch.args), sameJson(patch.args, row.args));
  if (patch.env) {
    const env = [...new Set(patch.env)];
    set("env", "env_names", env, sameJson(env, row.env_names));
  }
  if (patch.tags) {
    const tags = [...new Set(patch.tags)];
    set("tags", "tags", tags, sameJson(tags, row.tags));
  }
  if (patch.metadata)
    set("metadata", "metadata", JSON.stringify(patch.metadata), sameJson(patch.metadata, row.metadata));
  return { changes, changed };
}

/** The merged connection after a PATCH, so transport rules are checked on the result, not the delta. */
function mergedConnection(row: ServerRow, patch: ServerPatch) {
  const pick = <T>(v: T | undefined, fallback: T): T => (v === undefined ? fallback : v);
  return {
    ...patch,
    transport: pick(patch.transport, row.transport),
    endpoint: pick(patch.endpoint, row.endpoint),
    command: pick(patch.command, row.command),
    args: pick(patch.args, Array.isArray(row.args) ? (row.args as string[]) : []),
    env: pick(patch.env, row.env_names),
  };
}

/** Server CRUD: register, read, patch, delete. Lists, tools, bulk and export live beside it. */
export function createServerCrud(core: RegistryCore, audit: AuditRecorder, cache: ServerCache) {
  const { db } = core;

  async function load(id: string): Promise<ServerRow> {
    const row = await findServerRow(db, id);
    if (!row) throw notFound("server", id);
    return row;
  }

  async function register(caller: Caller, input: ServerRequest): Promise<Server> {
    const prepared = core.prepare(caller, input);
    await core.authorize(caller, ACTIONS.serverRegister, { server: policyServer(prepared.server) });
    await core.requireTeamMember(caller, prepared.server.team, prepared.server);
    return db.transaction().execute(async (tx) => {
      const server = await core.insertPrepared(tx, prepared);
      await core.auditRegistered(tx, caller, server);
      return server;
    });
  }

  async function get(caller: Caller, id: string): Promise<Server> {
    const found = await cache.get(id);
    if (!found) throw notFound("server", id);
    await core.authorize(caller, ACTIONS.serverRead, { server: policyServer(found.row) });
    return toServer(found.row, found.tools.length, found.tools);
  }

  async function update(caller: Caller, id: string, patch: ServerPatch): Promise<Server> {
    const row = await load(id);
    await core.authorize(caller, ACTIONS.serverUpdate, { server: policyServer(row) });
    if (patch.owner_id !== undefined && patch.owner_id !== row.owner_id && !isAdmin(caller.principal)) {
      throw new AppError("FORBIDDEN", "only admins may change a server's owner");
    }
    if (patch.team !== row.team) await core.requireTeamMember(caller, patch.team, row);
    const fields: FieldError[] = semanticErrors(mergedConnection(row, patch), "body");
    if (fields.length > 0) throw validationFailed(`update of server '${id}' is invalid`, fields);
    const { changes, changed } = patchChanges(row, patch);
    let updated = row;
    if (changed.length > 0) {
      // Optimistic: the row must still be the one the rules were checked against.
      const result = await db
        .transaction()
        .execute(async (tx) => {
          const written = await updateServerRow(tx, id, { ...changes, updated_at: core.now() }, row.updated_at);
          if (!written) return undefined;
          await audit.recordInTransaction(tx, {
            event_type: "server.updated",
            severity: "medium",
            outcome: "success",
            actor: auditActorOf(caller),
            action: ACTIONS.serverUpdate,
            resource: { type: "server", id, name: written.name },
            request_id: caller.request.requestId,
            details: { changed, ...(changed.includes("name") ? { previous_name: row.name } : {}) },
          });
          return written;
        })
        .catch((e: unknown) => {
          throw core.translateWriteError(e, patch.name ?? row.name, patch.owner_id ?? null);
        });
      if (!result) throw new AppError("CONFLICT", `server '${id}' changed while updating; fetch it and retry`);
      updated = result;
    }
    const tools = await toolRowsOf(db, id);
    return toServer(updated, tools.length, tools);
  }

  async function remove(caller: Caller, id: string): Promise<void> {
    const row = await load(id);
    await core.authorize(caller, ACTIONS.serverDelete, { server: policyServer(row) });
    const counts = await toolCounts(db, [id]);
    const deleted = await db.transaction().execute(async (tx) => {
      if (!(await deleteServerRow(tx, id))) return false;
      await audit.recordInTransaction(tx, {
        event_type: "server.deleted",
        severity: "medium",
        outcome: "success",
        actor: auditActorOf(caller),
        action: ACTIONS.serverDelete,
        resource: { type: "server", id, name: row.name },
        request_id: caller.request.requestId,
        details: { transport: row.transport, tool_count: counts.get(id) ?? 0 },
      });
      return true;
    });
    if (!deleted) throw notFound("server", id);
  }

  return { load, register, get, update, remove };
}
