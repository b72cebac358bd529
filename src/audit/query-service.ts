import type { Readable } from "node:stream";
import type { Kysely } from "kysely";
import { type AuditRecorder, auditActorOf } from "../core/audit.js";
import type { Caller } from "../core/caller.js";
import type { Clock } from "../platform/clock.js";
import type { BaseTables } from "../platform/db/database.js";
import { AppError, notFound, validationFailed } from "../platform/errors.js";
import { decodeCursor, encodeCursor, type Page } from "../platform/http/pagination.js";
import type { StoredAuditEvent } from "./event.js";
import { type ExportFormat, exportStream } from "./export.js";
import {
  type AuditFilters,
  type AuditStats,
  exportEvents,
  exportNdjson,
  getEvent,
  listEvents,
  stats,
} from "./repository.js";

/** Filters as the API receives them (snake_case, comma lists). */
export interface FilterQuery {
  from?: string;
  to?: string;
  event_type?: string;
  user?: string;
  outcome?: string;
  severity?: string;
  resource_type?: string;
  resource_id?: string;
  request_id?: string;
}

export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;
const STATS_DEFAULT_WINDOW_MS = 24 * 3600 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function list(value: string | undefined, allowed: ReadonlySet<string> | undefined, field: string): string[] {
  const items = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = allowed ? items.filter((i) => !allowed.has(i)) : [];
  if (bad.length > 0) {
    const message = `${field} must be a comma list of ${[...(allowed ?? [])].join(", ")}; got '${bad.join(", ")}'`;
    throw validationFailed(message, [{ path: `/${field}`, message }]);
  }
  return items;
}

/** Validates and converts API filters; `from` must precede `to`. */
export function toFilters(q: FilterQuery): AuditFilters {
  if (q.from && q.to && Date.parse(q.from) >= Date.parse(q.to)) {
    const message = `from (${q.from}) must be before to (${q.to})`;
    throw validationFailed(message, [{ path: "/from", message }]);
  }
  return {
    from: q.from,
    to: q.to,
    eventTypes: list(q.event_type, undefined, "event_type"),
    outcomes: list(q.outcome, new Set(["success", "failure", "denied"]), "outcome"),
    severities: list(q.severity, new Set(["low", "medium", "high", "critical"]), "severity"),
    user: q.user || undefined,
    resourceType: q.resource_type || undefined,
    resourceId: q.resource_id || undefined,
    requestId: q.request_id || undefined,
  };
}

function cursorKey(cursor: string | undefined): { timestamp: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const { t, id } = decodeCursor(cursor, ["t", "id"] as const);
  if (Number.isNaN(Date.parse(t)) || !UUID.test(id)) {
    throw new AppError("INVALID_CURSOR", "cursor is not valid; pass next_cursor from a previous page unchanged");
  }
  return { timestamp: t, id };
}

/** Read side of the audit trail: list, get, export, stats. */
export function createAuditQueries(deps: { db: Kysely<BaseTables>; audit: AuditRecorder; clock: Clock }) {
  const { db, clock } = deps;
  return {
    async list(q: FilterQuery & { limit?: number; cursor?: string }): Promise<Page<StoredAuditEvent>> {
      const limit = Math.min(Math.max(q.limit ?? PAGE_DEFAULT, 1), PAGE_MAX);
      const rows = await listEvents(db, toFilters(q), cursorKey(q.cursor), limit + 1);
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const hasMore = rows.length > limit;
      return {
        items,
        next_cursor: hasMore && last ? encodeCursor({ t: last.timestamp, id: last.id }) : null,
        has_more: hasMore,
      };
    },

    async get(id: string): Promise<StoredAuditEvent> {
      const event = UUID.test(id) ? await getEvent(db, id) : undefined;
      if (!event) throw notFound("audit event", id);
      return event;
    },

    /**
     * Streams matching events, bounded above by now when `to` is absent so the export ends. The
     * export itself is audited: copying the audit trail out is a security-relevant act.
     */
    async export(q: FilterQuery, format: ExportFormat, caller: Caller): Promise<Readable> {
      const filters = toFilters({ ...q, to: q.to ?? new Date(clock.now()).toISOString() });
      await deps.audit.record({
        event_type: "audit.exported",
        severity: "medium",
        outcome: "success",
        actor: auditActorOf(caller),
        action: "audit:read",
        resource: { type: "audit_events" },
        request_id: caller.request.requestId,
        details: { format, filters: { ...q } },
      });
      return format === "ndjson"
        ? exportStream({ format, chunks: exportNdjson(db, filters) })
        : exportStream({ format, batches: exportEvents(db, filters) });
    },

    async stats(q: FilterQuery): Promise<AuditStats & { from: string; to: string }> {
      const to = q.to ?? new Date(clock.now()).toISOString();
      const from = q.from ?? new Date(Date.parse(to) - STATS_DEFAULT_WINDOW_MS).toISOString();
      return { from, to, ...(await stats(db, toFilters({ ...q, from, to }))) };
    },
  };
}

export type AuditQueries = ReturnType<typeof createAuditQueries>;
