import cluster, { type Worker } from "node:cluster";
import { createContext } from "../context.js";
import { servePodMetrics } from "../platform/cluster-metrics.js";
import type { Config } from "../platform/config/index.js";
import { createLogger } from "../platform/logger.js";
import { prepareDatabase, printBanner, WORKER_READY } from "./serve.js";

/** More unexpected worker exits than this within RESTART_WINDOW_MS: stop, let the orchestrator restart the pod. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
/** On top of the workers' own drain delay and grace period, before the primary kills what is left. */
const SHUTDOWN_SLACK_MS = 10_000;

/**
 * The primary of `sark serve` with SARK_WORKERS > 1. One Node process runs the event loop on one
 * core; workers let a pod use all of its cores. They are replicas that share a port: each is a full
 * server with its own pools, and they share state exactly as replicas do (PostgreSQL, Redis; config
 * validation requires both). The primary serves no requests. It runs the one-time steps first so
 * workers never race for them, forks the workers (node:cluster hands each new connection to one of
 * them), answers /metrics collection (cluster-metrics.ts), replaces a worker that dies, and on
 * SIGTERM/SIGINT passes SIGTERM on and exits once every worker has drained.
 */
export async function superviseWorkers(config: Config): Promise<void> {
  const logger = createLogger(config);
  const setup = await createContext(config, { logger });
  const admin = await prepareDatabase(setup).finally(() => setup.stop());
  servePodMetrics();

  const ready = new Set<Worker>();
  const live = new Set<Worker>();
  let restarts: number[] = [];
  let bannerShown = false;
  let shuttingDown = false;
  let exitCode = 0;

  const fork = () => live.add(cluster.fork());

  cluster.on("message", (worker, m: unknown) => {
    if ((m as { type?: unknown } | null)?.type !== WORKER_READY) return;
    ready.add(worker);
    logger.info({ pid: worker.process.pid }, "worker ready");
    if (!bannerShown && ready.size === config.http.workers) {
      bannerShown = true;
      printBanner(setup, admin, config.http.workers);
    }
  });

  cluster.on("exit", (worker, code, signal) => {
    live.delete(worker);
    const wasReady = ready.delete(worker);
    if (shuttingDown) {
      if (code !== 0) exitCode = 1;
      if (live.size === 0) process.exit(exitCode);
      return;
    }
    const exit = { pid: worker.process.pid, code, signal };
    if (!wasReady) {
      // A worker that never came up would fail the same way again (configuration, dependencies).
      logger.error(exit, "a worker failed to start; stopping");
      exitCode = code || 1;
      shutdown("worker failed to start");
      return;
    }
    const now = Date.now();
    restarts = [...restarts.filter((t) => now - t < RESTART_WINDOW_MS), now];
    if (restarts.length > MAX_RESTARTS) {
      logger.error(exit, `more than ${MAX_RESTARTS} worker exits within ${RESTART_WINDOW_MS / 1000} s; stopping`);
      exitCode = 1;
      shutdown("workers keep exiting");
      return;
    }
    logger.error(exit, "a worker exited unexpectedly; starting a replacement");
    fork();
  });

  const shutdown = (reason: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ reason, workers: live.size }, "shutting down: stopping the workers");
    if (live.size === 0) process.exit(exitCode);
    // Each worker drains on its own: readiness off, SHUTDOWN_DELAY_MS, in-flight requests, audit flush.
    for (const w of live) w.process.kill("SIGTERM");
    setTimeout(
      () => {
        logger.error({ workers: live.size }, "workers did not stop in time; killing them");
        for (const w of live) w.process.kill("SIGKILL");
        process.exit(1);
      },
      config.http.shutdownDelayMs + config.http.shutdownGraceMs + SHUTDOWN_SLACK_MS,
    ).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));

  for (let i = 0; i < config.http.workers; i++) fork();
}
