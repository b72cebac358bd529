import { ACTIONS } from "../core/actions.js";
import { type AuditRecorder, auditActorOf } from "../core/audit.js";
import type { Caller } from "../core/caller.js";
import { AppError, type ErrorCode, isAppError } from "../platform/errors.js";
import { policyServer } from "./mapping.js";
import type { PreparedServer, RegistryCore } from "./service.js";
import type { Server, ServerRequest } from "./types.js";
import { shapeErrors } from "./validation.js";

export type BulkMode = "transactional" | "best_effort";

export interface BulkItemResult {
  index: number;
  status: number;
  server?: Server;
  error?: { code: ErrorCode; message: string; details?: unknown };
}

export interface BulkResult {
  mode: BulkMode;
  total: number;
  succeeded: number;
  failed: number;
  results: BulkItemResult[];
}

type Checked = { index: number; prepared: PreparedServer } | BulkItemResult;

function failure(index: number, e: unknown): BulkItemResult {
  if (!isAppError(e)) throw e;
  const details = e.details === undefined ? {} : { details: e.details };
  return { index, status: e.status, error: { code: e.code, message: e.message, ...details } };
}

/**
 * Bulk registration. Every item is checked (shape, rules, duplicates within the batch, policy)
 * before anything is written. `transactional` writes all in one transaction or nothing;
 * `best_effort` writes each valid item in its own transaction and reports each outcome.
 */
export function createBulkRegistration(core: RegistryCore, audit: AuditRecorder) {
  async function check(caller: Caller, items: unknown[]): Promise<Checked[]> {
    const names = new Map<string, number>();
    const out: Checked[] = [];
    for (const [index, item] of items.entries()) {
      const prefix = `body/servers/${index}`;
      try {
        const fields = shapeErrors(item, prefix);
        if (fields.length > 0)
          throw new AppError("VALIDATION_FAILED", `item ${index} is invalid`, { details: { fields } });
        const input = item as ServerRequest;
        const first = names.get(input.name.toLowerCase());
        if (first !== undefined) throw new AppError("CONFLICT", `name '${input.name}' duplicates item ${first}`);
        names.set(input.name.toLowerCase(), index);
        const prepared = core.prepare(caller, input, prefix);
        await core.authorize(caller, ACTIONS.serverRegister, { server: policyServer(prepared.server) });
        await core.requireTeamMember(caller, prepared.server.team, prepared.server);
        out.push({ index, prepared });
      } catch (e) {
        out.push(failure(index, e));
      }
    }
    return out;
  }

  async function transactional(caller: Caller, checked: Checked[]): Promise<BulkItemResult[]> {
    const failures = checked.filter((c): c is BulkItemResult => "status" in c);
    const first = failures[0];
    if (first?.error) {
      throw new AppError(
        first.error.code,
        `${failures.length} of ${checked.length} items failed; nothing was registered`,
        { details: { items: failures } },
      );
    }
    let current = 0;
    try {
      return await core.db.transaction().execute(async (tx) => {
        const results: BulkItemResult[] = [];
        for (const c of checked) {
          if (!("prepared" in c)) continue;
          current = c.index;
          const server = await core.insertPrepared(tx, c.prepared);
          await core.auditRegistered(tx, caller, server, true);
          results.push({ index: c.index, status: 201, server });
        }
        return results;
      });
    } catch (e) {
      if (!isAppError(e)) throw e;
      throw new AppError(e.code, `item ${current}: ${e.message}; nothing was registered`, {
        details: { items: [failure(current, e)] },
      });
    }
  }

  async function bestEffort(caller: Caller, checked: Checked[]): Promise<BulkItemResult[]> {
    const results: BulkItemResult[] = [];
    for (const c of checked) {
      if (!("prepared" in c)) {
        results.push(c);
        continue;
      }
      try {
        const server = await core.db.transaction().execute(async (tx) => {
          const inserted = await core.insertPrepared(tx, c.prepared);
          await core.auditRegistered(tx, caller, inserted, true);
          return inserted;
        });
        results.push({ index: c.index, status: 201, server });
      } catch (e) {
        results.push(failure(c.index, e));
      }
    }
    return results;
  }

  async function register(caller: Caller, mode: BulkMode, items: unknown[]): Promise<BulkResult> {
    const checked = await check(caller, items);
    const results = mode === "transactional" ? await transactional(caller, checked) : await bestEffort(caller, checked);
    const created = results.flatMap((r) => (r.server ? [r.server] : []));
    await audit.record({
      event_type: "server.bulk_registered",
      severity: "medium",
      outcome: created.length === items.length ? "success" : "failure",
      actor: auditActorOf(caller),
      action: ACTIONS.serverRegister,
      resource: { type: "server" },
      request_id: caller.request.requestId,
      details: { mode, requested: items.length, registered: created.length, server_ids: created.map((s) => s.id) },
    });
    return { mode, total: items.length, succeeded: created.length, failed: items.length - created.length, results };
  }

  return { register };
}
