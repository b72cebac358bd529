import type { PolicyConfig } from "../platform/config/policy.js";
import type { Database } from "../platform/db/database.js";
import type { ComponentHealth } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import { type LoadedPolicy, loadPolicy } from "./builtin-engine.js";
import { renderDiagnostics, tryCompile } from "./compile.js";
import type { PolicyMetrics } from "./metrics.js";
import { fromJS } from "./rego/index.js";
import {
  type LastGood,
  type LoadableSet,
  NOTHING_LOADED,
  rememberLoaded,
  type SkippedRow,
  selectLoadable,
} from "./store/active-set.js";
import { withBuiltinData } from "./store/builtin-data.js";
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

export function createPolicyLoader(deps: PolicyLoaderDeps): PolicyLoader {
  const { database, config, logger, metrics } = deps;
  const db = policyDb(database);
  let current: LoadedPolicy | undefined;
  let loadedRevision = -1;
  /** The newest revision tried; one that failed is not rebuilt (and re-logged) at every poll. */
  let attemptedRevision = -1;
  let lastGood: LastGood = NOTHING_LOADED;
  /** Stored rows left out of (or held back from) the running set; they make the replica degraded. */
  let skipped: SkippedRow[] = [];
  /** Why the newest revision is not the one served (it does not compile together, or lacks the package). */
  let loadError: string | undefined;
  /** Set while the store cannot be read; the replica keeps serving what it has (degraded). */
  let unreachable: string | undefined;
  /** Whether the governing policy is not the stored one: a replica starting now would have none. */
  let governingHeldBack = false;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const isGoverning = (name: string) => name.toLowerCase() === config.package.toLowerCase();

  function fail(revision: number, message: string): void {
    loadError = message;
    logger.error({ revision }, message);
  }

  async function load(force: boolean): Promise<void> {
    const revision = await getRevision(db);
    unreachable = undefined;
    if (!force && (revision === attemptedRevision || revision === loadedRevision) && current) return;
    const [modules, dataRows] = await Promise.all([activeModules(db), listData(db)]);
    attemptedRevision = revision;
    // From here on nothing may throw: a stored row that cannot be loaded is skipped and reported,
    // and whatever else goes wrong keeps the running policy (a throw here once meant a crash loop).
    try {
      apply(revision, selectLoadable(modules, dataRows, lastGood));
    } catch (e) {
      fail(revision, `policy revision ${revision} could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  function apply(revision: number, set: LoadableSet): void {
    for (const s of set.skipped) {
      logger.error(
        { revision, kind: s.kind, ref: s.ref, serving: s.serving },
        `skipped stored ${s.kind} ${s.ref}: ${s.reason}`,
      );
    }
    const outcome = tryCompile(set.modules.map((m) => ({ path: `${m.name}.rego`, source: m.content })));
    // A set that does not compile together never replaces the running one; the replica reports
    // unhealthy until the store is fixed.
    if (!outcome.ok) {
      fail(
        revision,
        `active policies do not compile (revision ${revision}):\n${renderDiagnostics(outcome.diagnostics)}`,
      );
      return;
    }
    if (!outcome.packages.includes(config.package)) {
      fail(revision, `no active policy defines package ${config.package} (revision ${revision})`);
      return;
    }
    const governing = set.modules.find((m) => isGoverning(m.name));
    const label = governing ? `${governing.name}@v${governing.version}` : `${config.package}@r${revision}`;
    // Converted to Rego values once here, not in every evaluation that reads it (PERFORMANCE.md).
    current = loadPolicy(outcome.compiled, config.package, fromJS(withBuiltinData(set.document)), {
      label,
      revision,
      evalTimeoutMs: config.evalTimeoutMs,
    });
    loadedRevision = revision;
    lastGood = rememberLoaded(set);
    skipped = set.skipped;
    loadError = undefined;
    governingHeldBack = set.skipped.some((s) => s.kind === "policy" && isGoverning(s.ref.split("@")[0] ?? ""));
    metrics.revision.set(revision);
    logger.info({ revision, policy: label, modules: set.modules.length, skipped: skipped.length }, "policy loaded");
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
        refresh().catch((e: unknown) => {
          unreachable = "policy store unreachable; serving the last loaded policy";
          logger.warn({ err: e }, unreachable);
        });
      }, config.reloadIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await inFlight?.catch(() => {});
    },
    health() {
      const status =
        !current || loadError || governingHeldBack
          ? "unhealthy"
          : unreachable || skipped.length > 0
            ? "degraded"
            : "healthy";
      const error = loadError ?? unreachable;
      return {
        status,
        engine: "builtin",
        policy: current?.label ?? null,
        revision: loadedRevision,
        ...(error ? { error } : {}),
        ...(skipped.length > 0 ? { skipped } : {}),
      };
    },
  };
}
