import { Type } from "typebox";
import type { AppInstance } from "../platform/feature.js";
import { callerOf } from "../platform/http/caller.js";
import type { RegistryService } from "./registry-services.js";
import {
  BulkResultSchema,
  BulkSchema,
  DetectResultSchema,
  DetectSchema,
  ExportQuerySchema,
  IdParams,
  ListQuerySchema,
  PageSchema,
  SensitivityChangeSchema,
  SensitivityUpdateSchema,
  ServerInputSchema,
  ServerPatchSchema,
  ServerSchema,
  ToolParams,
  ToolSchema,
} from "./schemas.js";

const tags = ["servers"];
const Items = <T extends typeof ToolSchema | typeof SensitivityChangeSchema>(item: T) =>
  Type.Object({ items: Type.Array(item) });

/**
 * `/api/v1/servers` and `/api/v1/tools`. Static segments (`export`, `bulk`) win over `{id}` in
 * Fastify's router, and `{id}` must be a UUID, so a mistyped static path is a 400, never a lookup.
 */
export function registryRoutes(svc: RegistryService, today: () => string) {
  return (app: AppInstance) => {
    // A change made through this replica drops its registry read cache before the response leaves,
    // so the caller's next read sees it (other replicas follow the revision poll; server-cache.ts).
    app.addHook("onSend", (request, _reply, payload, done) => {
      if (request.method !== "GET" && request.method !== "HEAD") svc.cache.invalidate();
      done(null, payload);
    });
    app.post(
      "/api/v1/servers",
      { schema: { tags, body: ServerInputSchema, response: { 201: ServerSchema } } },
      async (request, reply) => reply.status(201).send(await svc.crud.register(callerOf(request), request.body)),
    );
    app.get(
      "/api/v1/servers",
      { schema: { tags, querystring: ListQuerySchema, response: { 200: PageSchema(ServerSchema) } } },
      async (request) => svc.listing.list(callerOf(request), request.query),
    );
    app.get("/api/v1/servers/export", { schema: { tags, querystring: ExportQuerySchema } }, async (request, reply) => {
      const { format = "csv", ...filters } = request.query;
      const stream = await svc.exporter.open(callerOf(request), format, filters);
      return reply
        .header("content-type", format === "csv" ? "text/csv; charset=utf-8" : "application/json; charset=utf-8")
        .header("content-disposition", `attachment; filename="sark-servers-${today()}.${format}"`)
        .header("cache-control", "no-store")
        .send(stream);
    });
    app.post(
      "/api/v1/servers/bulk",
      { schema: { tags, body: BulkSchema, response: { 200: BulkResultSchema, 201: BulkResultSchema } } },
      async (request, reply) => {
        const mode = request.body.mode ?? "transactional";
        const result = await svc.bulk.register(callerOf(request), mode, request.body.servers);
        // All-or-nothing success is a plain create; best_effort reports mixed outcomes item by item.
        return reply.status(mode === "transactional" ? 201 : 200).send(result);
      },
    );
    app.get(
      "/api/v1/servers/:id",
      { schema: { tags, params: IdParams, response: { 200: ServerSchema } } },
      async (request) => svc.crud.get(callerOf(request), request.params.id.toLowerCase()),
    );
    app.patch(
      "/api/v1/servers/:id",
      { schema: { tags, params: IdParams, body: ServerPatchSchema, response: { 200: ServerSchema } } },
      async (request) => svc.crud.update(callerOf(request), request.params.id.toLowerCase(), request.body),
    );
    app.delete("/api/v1/servers/:id", { schema: { tags, params: IdParams } }, async (request, reply) => {
      await svc.crud.remove(callerOf(request), request.params.id.toLowerCase());
      return reply.status(204).send();
    });
    app.get(
      "/api/v1/servers/:id/tools",
      { schema: { tags, params: IdParams, response: { 200: Items(ToolSchema) } } },
      async (request) => svc.tools.list(callerOf(request), request.params.id.toLowerCase()),
    );
    app.put(
      "/api/v1/servers/:id/tools/:name/sensitivity",
      { schema: { tags, params: ToolParams, body: SensitivityUpdateSchema, response: { 200: ToolSchema } } },
      async (request) => {
        const { id, name } = request.params;
        const { sensitivity_level, reason } = request.body;
        return svc.tools.setSensitivity(callerOf(request), id.toLowerCase(), name, sensitivity_level, reason);
      },
    );
    app.get(
      "/api/v1/servers/:id/tools/:name/sensitivity/history",
      { schema: { tags, params: ToolParams, response: { 200: Items(SensitivityChangeSchema) } } },
      async (request) => svc.tools.history(callerOf(request), request.params.id.toLowerCase(), request.params.name),
    );
    app.post(
      "/api/v1/tools/detect-sensitivity",
      { schema: { tags: ["tools"], body: DetectSchema, response: { 200: DetectResultSchema } } },
      async (request) => svc.tools.detect(callerOf(request), request.body),
    );
  };
}
