import { v7 as uuidv7 } from "uuid";
import { type AuditRecorder, auditActorOf } from "../core/audit.js";
import type { Caller } from "../core/caller.js";
import type { Clock } from "../platform/clock.js";
import type { ComponentHealth } from "../platform/feature.js";
import type { Forwarder, ForwarderSnapshot } from "./forwarder.js";
import type { SiemMetrics } from "./metrics.js";
import type { SiemRepository } from "./repository.js";
import type { DestinationType, SiemEvent } from "./types.js";

/** A destination failing for longer than this makes `/health/detailed` report `degraded`. */
export const FAILING_DEGRADED_MS = 5 * 60_000;
const TEST_TIMEOUT_MS = 10_000;

export interface DestinationStatus {
  name: string;
  type: DestinationType;
  status: ForwarderSnapshot["status"];
  leader: boolean;
  backlog: number;
  lag_seconds: number;
  circuit_state: ForwarderSnapshot["circuit"];
  consecutive_failures: number;
  last_error: string | null;
  last_error_at: string | null;
  last_success_at: string | null;
  failing_since: string | null;
  events_sent: number;
  cursor: { last_seq: number; last_event_id: string | null };
}

export interface TestResult {
  destination: string;
  type: DestinationType;
  ok: boolean;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Status, health and the connectivity test, computed from the forwarders and the database. */
export function createSiemService(deps: {
  forwarders: readonly Forwarder[];
  repository: SiemRepository;
  metrics: SiemMetrics;
  audit: AuditRecorder;
  clock: Clock;
}) {
  const { forwarders, repository, metrics, clock } = deps;

  /** Backlog and lag come from the shared cursor table, so every replica reports the same numbers. */
  async function status(): Promise<DestinationStatus[]> {
    if (forwarders.length === 0) return [];
    const [cursors, maxSeq] = await Promise.all([repository.getCursors(), repository.maxSeq()]);
    const out: DestinationStatus[] = [];
    for (const f of forwarders) {
      const cursor = cursors.get(f.name) ?? { lastSeq: 0, lastEventId: null };
      const backlog = Math.max(0, maxSeq - cursor.lastSeq);
      const oldest = backlog > 0 ? await repository.oldestAfter(cursor.lastSeq) : undefined;
      const lag = oldest ? Math.max(0, (clock.now() - oldest.getTime()) / 1000) : 0;
      metrics.backlog.set({ destination: f.name }, backlog);
      metrics.lag.set({ destination: f.name }, lag);
      const s = f.snapshot();
      out.push({
        name: f.name,
        type: f.destination.type,
        status: s.status,
        leader: s.leader,
        backlog,
        lag_seconds: Math.round(lag * 1000) / 1000,
        circuit_state: s.circuit,
        consecutive_failures: s.consecutiveFailures,
        last_error: s.lastError,
        last_error_at: isoOrNull(s.lastErrorAt),
        last_success_at: isoOrNull(s.lastSuccessAt),
        failing_since: isoOrNull(s.failingSince),
        events_sent: s.eventsSent,
        cursor: { last_seq: cursor.lastSeq, last_event_id: cursor.lastEventId },
      });
    }
    return out;
  }

  async function health(): Promise<ComponentHealth> {
    const list = await status();
    const now = clock.now();
    const failing = list.filter(
      (d) =>
        d.status === "failed" || (d.failing_since !== null && now - Date.parse(d.failing_since) > FAILING_DEGRADED_MS),
    );
    return {
      status: failing.length > 0 ? "degraded" : "healthy",
      destinations: Object.fromEntries(
        list.map((d) => [d.name, { status: d.status, backlog: d.backlog, lag_seconds: d.lag_seconds }]),
      ),
    };
  }

  /** Sends one synthetic event (not part of the audit trail) to every destination, in parallel. */
  async function sendTest(caller: Caller): Promise<TestResult[]> {
    const event: SiemEvent = {
      id: uuidv7(),
      timestamp: new Date(clock.now()).toISOString(),
      event_type: "siem.test",
      severity: "low",
      outcome: "success",
      actor: auditActorOf(caller),
      action: "siem:test",
      resource: { type: "siem", id: null, name: null },
      decision: null,
      request_id: caller.request.requestId,
      details: { test: true, message: "SARK SIEM connectivity test; not part of the audit trail" },
      hash: "",
      prev_hash: "",
    };
    const results = await Promise.all(
      forwarders.map(async ({ destination }): Promise<TestResult> => {
        const started = performance.now();
        const r = await destination.send([event], AbortSignal.timeout(TEST_TIMEOUT_MS));
        return {
          destination: destination.name,
          type: destination.type,
          ok: r.kind === "ok",
          status_code: r.status ?? null,
          error: r.kind === "ok" ? null : r.message,
          duration_ms: Math.round((performance.now() - started) * 100) / 100,
        };
      }),
    );
    await deps.audit.record({
      event_type: "siem.test_sent",
      severity: "low",
      outcome: results.every((r) => r.ok) ? "success" : "failure",
      actor: event.actor,
      action: "siem:test",
      resource: { type: "siem", id: event.id },
      request_id: caller.request.requestId,
      details: { results: results.map((r) => ({ destination: r.destination, ok: r.ok, status_code: r.status_code })) },
    });
    return results;
  }

  return { status, health, sendTest };
}

export type SiemService = ReturnType<typeof createSiemService>;
