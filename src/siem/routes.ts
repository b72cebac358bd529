import { Type } from "typebox";
import { ACTIONS } from "../core/actions.js";
import type { Authorizer } from "../core/authorizer.js";
import type { AppInstance } from "../platform/feature.js";
import { callerOf } from "../platform/http/caller.js";
import type { SiemService } from "./service.js";

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const DestinationStatusSchema = Type.Object({
  name: Type.String(),
  type: Type.String(),
  status: Type.String({ description: "starting | standby | active | retrying | failed | stopped" }),
  leader: Type.Boolean({ description: "this replica holds the destination's forwarding lock" }),
  backlog: Type.Integer({ description: "undelivered events (max(seq) - cursor estimate)" }),
  lag_seconds: Type.Number({ description: "age of the oldest undelivered event" }),
  circuit_state: Type.String({ description: "closed | open | half_open" }),
  consecutive_failures: Type.Integer(),
  last_error: Nullable(Type.String()),
  last_error_at: Nullable(Type.String()),
  last_success_at: Nullable(Type.String()),
  failing_since: Nullable(Type.String()),
  events_sent: Type.Integer({ description: "events delivered by this replica since it started" }),
  cursor: Type.Object({ last_seq: Type.Integer(), last_event_id: Nullable(Type.String()) }),
});

const TestResultSchema = Type.Object({
  destination: Type.String(),
  type: Type.String(),
  ok: Type.Boolean(),
  status_code: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  duration_ms: Type.Number(),
});

/** `GET /api/v1/siem/status` (siem:read) and `POST /api/v1/siem/test` (siem:test). */
export function siemRoutes(deps: { service: SiemService; authorizer: Authorizer }) {
  const { service, authorizer } = deps;
  return (app: AppInstance) => {
    app.get(
      "/api/v1/siem/status",
      {
        schema: {
          tags: ["siem"],
          summary: "SIEM destinations: status, backlog, lag, last error, circuit state",
          response: { 200: Type.Object({ destinations: Type.Array(DestinationStatusSchema) }) },
        },
      },
      async (request) => {
        await authorizer.require(callerOf(request), ACTIONS.siemRead);
        return { destinations: await service.status() };
      },
    );
    app.post(
      "/api/v1/siem/test",
      {
        // Sends to the SIEM only; SARK's own state is untouched, so it stays usable in read-only mode.
        config: { allowInReadOnly: true },
        schema: {
          tags: ["siem"],
          summary: "Send a test event to every SIEM destination and report each result",
          response: { 200: Type.Object({ results: Type.Array(TestResultSchema) }) },
        },
      },
      async (request) => {
        const caller = callerOf(request);
        await authorizer.require(caller, ACTIONS.siemTest);
        return { results: await service.sendTest(caller) };
      },
    );
  };
}
