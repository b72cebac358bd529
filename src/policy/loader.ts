import type { PolicyConfig } from "../platform/config.js";
import type { Database } from "../platform/db/database.js";
import type { ComponentHealth } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import { type LoadedPolicy, loadPolicy } from "./builtin-engine.js";
import { renderDiagnostics, tryCompile } from "./compile.js";
import type { PolicyMetrics } from "./metrics.js";
import { buildDataDocument } from "./store/data-document.js";
import { activeModules, getRevision, listData, policyDb } from "./store/repository.js";

export interface PolicyLoaderDeps {
  database: Database;
  config: PolicyConfig;
  logger: Logger;
  metrics: PolicyMetrics;
}

/** Keeps the compiled active policy set of this replica in step with the store. */
export interface PolicyLoader {
  current(): LoadedPolicy | undefined;
  /** Reloads when the store revision moved since the last load (or always with `force`). */
  refresh(force?: boolean): Promise<void>;
  /** Polls the revision every `reloadIntervalMs`; activations elsewhere arrive within one interval. */
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): ComponentHealth;
}

const UNREACHABLE = "policy store unreachable; serving the last loaded policy";

export function createPolicyLoader(deps: PolicyLoaderDeps): PolicyLoader {
  const { database, config, logger, metrics } = deps;
  const db = policyDb(database);
  let current: LoadedPolicy | undefined;
  let loadedRevision = -1;
  let lastError: string | undefined;
  /** A broken store makes the replica unhealthy; an unreachable one only degraded (it keeps serving). */
  let errorStatus: "degraded" | "unhealthy" = "unhealthy";
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function load(force: boolean): Promise<void> {
    const revision = await getRevision(db);
    if (!force && revision === loadedRevision && current) return;
    const [modules, dataRows] = await Promise.all([activeModules(db), listData(db)]);
    const outcome = tryCompile(modules.map((m) => ({ path: `${m.name}.rego`, source: m.content })));
    // A set that does not compile (should be impossible: activation checks it) never replaces
    // the running one; the replica reports unhealthy until the store is fixed.
    errorStatus = "unhealthy";
    if (!outcome.ok) {
      lastError = `active policies do not compile (revision ${revision}):\n${renderDiagnostics(outcome.diagnostics)}`;
      logger.error({ revision }, lastError);
      return;
    }
    if (!outcome.packages.includes(config.package)) {
      lastError = `no active policy defines package ${config.package} (revision ${revision})`;
      logger.error({ revision }, lastError);
      return;
    }
    const governing = modules.find((m) => m.name.toLowerCase() === config.package.toLowerCase());
    const label = governing ? `${governing.name}@v${governing.version}` : `${config.package}@r${revision}`;
    current = loadPolicy(outcome.compiled, config.package, buildDataDocument(dataRows), {
      label,
      revision,
      evalTimeoutMs: config.evalTimeoutMs,
    });
    loadedRevision = revision;
    lastError = undefined;
    metrics.revision.set(revision);
    logger.info({ revision, policy: label, modules: modules.length }, "policy loaded");
  }

  async function refresh(force = false): Promise<void> {
    // One load at a time; a caller arriving mid-load waits, then checks the revision again.
    while (inFlight) await inFlight.catch(() => {});
    inFlight = load(force).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    current: () => current,
    refresh,
    async start() {
      await refresh(true);
      timer = setInterval(() => {
        refresh().then(
          () => {
            // The store answered again: an unchanged revision returns before load() clears the
            // error, so "unreachable" is cleared here (load() sets any error of its own).
            if (errorStatus === "degraded" && lastError === UNREACHABLE) {
              lastError = undefined;
              logger.info("policy store reachable again");
            }
          },
          (e: unknown) => {
            lastError = UNREACHABLE;
            errorStatus = "degraded";
            logger.warn({ err: e }, lastError);
          },
        );
      }, config.reloadIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await inFlight?.catch(() => {});
    },
    health() {
      const status = !current ? "unhealthy" : lastError ? errorStatus : "healthy";
      return {
        status,
        engine: "builtin",
        policy: current?.label ?? null,
        revision: loadedRevision,
        ...(lastError ? { error: lastError } : {}),
      };
    },
  };
}
