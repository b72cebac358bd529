import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { ACTIONS } from "../core/actions.js";
import type { Authorizer } from "../core/authorizer.js";
import type { AppInstance } from "../platform/feature.js";
import { callerOf } from "../platform/http/caller.js";
import { type AuditQueries, PAGE_DEFAULT, PAGE_MAX, toFilters } from "./query-service.js";
import type { createLiveStream } from "./stream.js";

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Json = Type.Unknown();

const EventSchema = Type.Object({
  id: Type.String({ format: "uuid" }),
  seq: Type.Integer({ description: "commit order; the SIEM cursor and the hash chain follow it" }),
  timestamp: Type.String({ format: "date-time" }),
  event_type: Type.String(),
  severity: Type.String(),
  outcome: Type.String(),
  actor: Json,
  action: Nullable(Type.String()),
  resource: Json,
  decision: Json,
  request_id: Nullable(Type.String()),
  details: Json,
  prev_hash: Type.String(),
  hash: Type.String(),
});

const csvList = (description: string) => Type.Optional(Type.String({ maxLength: 1000, description }));
const FilterProps = {
  from: Type.Optional(Type.String({ format: "date-time", description: "inclusive lower bound (RFC 3339)" })),
  to: Type.Optional(Type.String({ format: "date-time", description: "exclusive upper bound (RFC 3339)" })),
  event_type: csvList("comma list, e.g. auth.login,server.registered"),
  user: Type.Optional(Type.String({ maxLength: 256, description: "actor user id or username" })),
  outcome: csvList("comma list of success, failure, denied"),
  severity: csvList("comma list of low, medium, high, critical"),
  resource_type: Type.Optional(Type.String({ maxLength: 128 })),
  resource_id: Type.Optional(Type.String({ maxLength: 256 })),
  request_id: Type.Optional(Type.String({ maxLength: 256 })),
};

const StatsSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  total: Type.Integer(),
  by_event_type: Type.Array(Type.Object({ event_type: Type.String(), count: Type.Integer() })),
  by_outcome: Type.Array(Type.Object({ outcome: Type.String(), count: Type.Integer() })),
  by_hour: Type.Array(Type.Object({ hour: Type.String(), count: Type.Integer() })),
});

const TAGS = ["audit"];

interface RouteDeps {
  queries: AuditQueries;
  stream: ReturnType<typeof createLiveStream>;
  authorizer: Authorizer;
}

type AllowRead = (request: FastifyRequest) => Promise<unknown>;

/** The audit API (`audit:read`): list, get, export, live stream, stats. */
export function auditRoutes(deps: RouteDeps) {
  const allowRead: AllowRead = (request) => deps.authorizer.require(callerOf(request), ACTIONS.auditRead);
  return (app: AppInstance) => {
    // Long-lived streams would otherwise hold shutdown until the grace period ends.
    app.addHook("preClose", async () => deps.stream.closeAll());
    queryRoutes(app, deps.queries, allowRead);
    streamingRoutes(app, deps, allowRead);
  };
}

/** List, get and stats: plain JSON responses. */
function queryRoutes(app: AppInstance, queries: AuditQueries, allowRead: AllowRead): void {
  app.get(
    "/api/v1/audit/events",
    {
      schema: {
        tags: TAGS,
        summary: "Audit events, newest first, filtered, with cursor pagination",
        querystring: Type.Object({
          ...FilterProps,
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT })),
          cursor: Type.Optional(Type.String({ maxLength: 512 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(EventSchema),
            next_cursor: Nullable(Type.String()),
            has_more: Type.Boolean(),
          }),
        },
      },
    },
    async (request) => {
      await allowRead(request);
      return queries.list(request.query);
    },
  );
  app.get(
    "/api/v1/audit/events/:id",
    {
      schema: {
        tags: TAGS,
        summary: "One audit event by id",
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: EventSchema },
      },
    },
    async (request) => {
      await allowRead(request);
      return queries.get(request.params.id);
    },
  );
  app.get(
    "/api/v1/audit/stats",
    {
      schema: {
        tags: TAGS,
        summary: "Counts by event type, outcome and hour (default: the last 24 hours)",
        querystring: Type.Object(FilterProps),
        response: { 200: StatsSchema },
      },
    },
    async (request) => {
      await allowRead(request);
      return queries.stats(request.query);
    },
  );
}

/** Export (a streamed file) and the live SSE stream. */
function streamingRoutes(app: AppInstance, deps: RouteDeps, allowRead: AllowRead): void {
  const { queries, stream } = deps;
  app.get(
    "/api/v1/audit/export",
    {
      schema: {
        tags: TAGS,
        summary: "Export matching events, oldest first, streamed as NDJSON or CSV",
        querystring: Type.Object({
          ...FilterProps,
          format: Type.Optional(Type.Union([Type.Literal("ndjson"), Type.Literal("csv")], { default: "ndjson" })),
        }),
      },
    },
    async (request, reply) => {
      await allowRead(request);
      const { format = "ndjson", ...filters } = request.query;
      const body = await queries.export(filters, format, callerOf(request));
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      return reply
        .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson")
        .header("content-disposition", `attachment; filename="sark-audit-${stamp}.${format}"`)
        .header("cache-control", "no-store")
        .send(body);
    },
  );
  app.get(
    "/api/v1/audit/stream",
    {
      schema: {
        tags: TAGS,
        summary: "Server-Sent Events of new audit events matching the filters (Last-Event-ID resumes)",
        querystring: Type.Object(FilterProps),
      },
    },
    async (request, reply) => {
      await allowRead(request);
      const filters = toFilters(request.query);
      const lastId = Number(request.headers["last-event-id"]);
      reply.hijack();
      // Hijacked replies skip Fastify's send path: carry over the security headers set so far.
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(name, value);
      }
      reply.raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "x-request-id": String(request.id),
      });
      await stream.open(reply.raw, filters, Number.isSafeInteger(lastId) && lastId >= 0 ? lastId : undefined);
    },
  );
}
