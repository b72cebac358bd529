import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AuditRecorder } from "../core/audit.js";
import type { Authorizer } from "../core/authorizer.js";
import type { Cache } from "../platform/cache.js";
import type { Clock } from "../platform/clock.js";
import type { PolicyConfig } from "../platform/config/policy.js";
import type { Database } from "../platform/db/database.js";
import type { Feature } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import type { Metrics } from "../platform/metrics.js";
import { packageRoot } from "../platform/paths.js";
import { createBuiltinEngine } from "./builtin-engine.js";
import { runTests, tryCompile } from "./compile.js";
import { createDecisionCache } from "./decision-cache.js";
import { createEvaluateService, type EvaluateLookups } from "./evaluate.js";
import { createPolicyLoader } from "./loader.js";
import { createPolicyMetrics } from "./metrics.js";
import { createOpaEngine } from "./opa/opa-engine.js";
import { createPolicyAuthorizer } from "./policy-authorizer.js";
import { policyRoutes } from "./routes.js";
import { createPolicyDataStore } from "./store/data-service.js";
import { createPolicyStore } from "./store/service.js";
import type { PolicyEngine } from "./types.js";
import { createWorkerChecker } from "./worker/checker.js";

export interface PolicyDeps {
  config: PolicyConfig;
  /** `input.context.environment`. */
  environment: string;
  database: Database;
  cache: Cache;
  audit: AuditRecorder;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
}

/** Name of the shipped default policy in the store. */
export const DEFAULT_POLICY_NAME = "sark.authz";

/** The shipped default policy and its tests (`policies/sark/`). */
export function shippedPolicy(): { content: string; tests: string } {
  const dir = join(packageRoot(), "policies", "sark");
  return {
    content: readFileSync(join(dir, "authz.rego"), "utf8"),
    tests: readFileSync(join(dir, "authz_test.rego"), "utf8"),
  };
}

/**
 * The policy feature: the engine (built-in Rego, or remote OPA with POLICY_ENGINE=opa), the
 * decision cache, the authorizer every route asks, the policy store and its API.
 */
export function createPolicy(deps: PolicyDeps): {
  authorizer: Authorizer;
  /**
   * The running feature; its evaluate API resolves stored users, servers and tools through
   * `lookups`. Passed in here rather than in the deps because auth and registry, which provide
   * them, are built after this feature: they need its authorizer.
   */
  feature(lookups: EvaluateLookups): Feature;
} {
  const { config, logger } = deps;
  const metrics = createPolicyMetrics(deps.metrics);
  const loader = createPolicyLoader({ database: deps.database, config, logger, metrics });
  const engine: PolicyEngine =
    config.engine === "opa" && config.opaUrl
      ? createOpaEngine({ url: config.opaUrl, policyPath: config.opaPolicyPath, timeoutMs: config.opaTimeoutMs })
      : createBuiltinEngine(loader.current);
  const authorizer = createPolicyAuthorizer({
    engine,
    cache: createDecisionCache({ cache: deps.cache, config, metrics }),
    audit: deps.audit,
    config,
    environment: deps.environment,
    metrics,
    logger,
    clock: deps.clock,
  });
  // Admin compiles and tests run in a worker thread with a hard timeout, off the event loop.
  const checker = createWorkerChecker();
  const store = createPolicyStore({
    database: deps.database,
    audit: deps.audit,
    config,
    checker,
    onChange: () => loader.refresh(),
  });
  const data = createPolicyDataStore({ database: deps.database, audit: deps.audit, onChange: () => loader.refresh() });

  async function seedDefault(): Promise<void> {
    const shipped = shippedPolicy();
    const outcome = tryCompile([
      { path: "authz.rego", source: shipped.content },
      { path: "authz_test.rego", source: shipped.tests },
    ]);
    const tests = outcome.ok ? runTests(outcome.compiled) : [];
    if (await store.seed(DEFAULT_POLICY_NAME, shipped.content, tests))
      logger.info("seeded the default policy sark.authz@v1");
  }

  return {
    authorizer,
    feature: (lookups) => ({
      name: "policy",
      routes: policyRoutes({
        store,
        data,
        evaluator: createEvaluateService({ lookups, authorizer, clock: deps.clock, environment: deps.environment }),
        authorizer,
        governingPackage: config.package,
      }),
      async start() {
        await seedDefault();
        await loader.start();
      },
      async stop() {
        await loader.stop();
        await checker.close();
        await engine.close?.();
      },
      async health() {
        const store = loader.health();
        if (!engine.health) return store;
        // With OPA deciding, OPA's reachability is the health; the store only stores and tests.
        const remote = await engine.health();
        return { ...remote, engine: "opa", opa_url: config.opaUrl, store: store.status };
      },
    }),
  };
}
