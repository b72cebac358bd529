import type { AuditRecorder } from "../core/audit.js";
import type { Authorizer } from "../core/authorizer.js";
import type { Clock } from "../platform/clock.js";
import type { SiemConfig } from "../platform/config/siem.js";
import type { Database } from "../platform/db/database.js";
import type { Feature } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import type { Metrics } from "../platform/metrics.js";
import { createDatadogDestination } from "./datadog.js";
import { createForwarder } from "./forwarder.js";
import { createSiemMetrics } from "./metrics.js";
import { createSiemRepository } from "./repository.js";
import { siemRoutes } from "./routes.js";
import { createSiemService } from "./service.js";
import { createSplunkHecDestination } from "./splunk-hec.js";
import type { SiemDestination } from "./types.js";
import { createWebhookDestination } from "./webhook.js";

export interface SiemDeps {
  config: { siem: SiemConfig };
  database: Database;
  audit: AuditRecorder;
  authorizer: Authorizer;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
}

const LOCK_RETRY_MS = 3000;
/** How often backlog/lag gauges are refreshed from the database on every replica. */
const STATS_INTERVAL_MS = 2000;

/** The configured destinations, in a fixed order (their names are cursor keys). */
export function destinationsFrom(config: SiemConfig): SiemDestination[] {
  const out: SiemDestination[] = [];
  if (config.splunk) out.push(createSplunkHecDestination(config.splunk));
  if (config.datadog) out.push(createDatadogDestination(config.datadog));
  if (config.webhook) out.push(createWebhookDestination(config.webhook));
  return out;
}

/** SIEM forwarding: one forwarder per configured destination, plus the status and test routes. */
export function createSiem(deps: SiemDeps): { feature: Feature } {
  const { siem } = deps.config;
  const repository = createSiemRepository(deps.database);
  const metrics = createSiemMetrics(deps.metrics);
  const settings = {
    batchSize: siem.batchSize,
    flushIntervalMs: siem.flushIntervalMs,
    maxBackoffMs: siem.maxBackoffMs,
    circuitFailureThreshold: siem.circuitFailureThreshold,
    circuitResetMs: siem.circuitResetMs,
    lockRetryMs: Math.min(LOCK_RETRY_MS, Math.max(siem.flushIntervalMs, 100)),
  };
  const forwarders = destinationsFrom(siem).map((destination) =>
    createForwarder({ ...deps, destination, repository, metrics, locks: deps.database.locks, settings }),
  );
  const service = createSiemService({ forwarders, repository, metrics, audit: deps.audit, clock: deps.clock });
  let statsTimer: NodeJS.Timeout | undefined;

  return {
    feature: {
      name: "siem",
      routes: siemRoutes({ service, authorizer: deps.authorizer }),
      async start() {
        if (forwarders.length === 0) return;
        for (const f of forwarders) f.start();
        // Backlog and lag gauges come from the database, so standby replicas report them too.
        statsTimer = setInterval(() => {
          service.status().catch((e: unknown) => deps.logger.warn({ err: e }, "SIEM stats refresh failed"));
        }, STATS_INTERVAL_MS);
        statsTimer.unref();
        deps.logger.info({ destinations: forwarders.map((f) => f.name) }, "SIEM forwarding enabled");
      },
      async stop() {
        if (statsTimer) clearInterval(statsTimer);
        await Promise.all(forwarders.map((f) => f.stop()));
      },
      health: () => service.health(),
    },
  };
}
