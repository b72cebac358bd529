/**
 * Runs admin policy checks (validate, compile-and-test of an upload) off the event loop: in one
 * lazily started worker thread with a hard timeout. A check that overruns its limit, or exhausts
 * the worker's heap, terminates the worker (the next check starts a fresh one) and fails with a
 * 422 naming the limit; `/health` and every other request keep being served meanwhile.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";
import { AppError } from "../../platform/errors.js";
import type { CheckOutcome, CheckRequest, ValidateOutcome } from "./checks.js";
import { READY, type WorkerReply, type WorkerRequest } from "./protocol.js";

/** Compile and test uploads without blocking the caller's thread. */
export interface PolicyChecker {
  validate(content: string): Promise<ValidateOutcome>;
  check(name: string, content: string): Promise<CheckOutcome>;
  close(): Promise<void>;
}

export interface WorkerCheckerOptions {
  /** Hard limit for one check, after which the worker is terminated (default 10 s). */
  timeoutMs?: number;
  /** Heap limit of the worker in MB (default 256). */
  maxHeapMb?: number;
  /** Checks waiting for the worker beyond this many are refused with 503 (default 16). */
  maxQueue?: number;
}

interface Job {
  id: number;
  req: CheckRequest;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_HEAP_MB = 256;
const DEFAULT_MAX_QUEUE = 16;

/**
 * Starts the worker on the entry file next to this module: `entry.js` in the compiled `dist/`;
 * from source (tests, `npm run dev`), `entry.ts` behind tsx's loader, which a worker does not
 * inherit (nor accept as `--import`), so a two-line bootstrap registers it first.
 */
function startWorker(options: WorkerOptions): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./entry.js", import.meta.url), options);
  // tsx's ESM API (its CommonJS build cannot register from a worker): the .mjs beside the resolved .cjs.
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  const entry = new URL("./entry.ts", import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

export function createWorkerChecker(options: WorkerCheckerOptions = {}): PolicyChecker {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxHeapMb = options.maxHeapMb ?? DEFAULT_HEAP_MB;
  const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
  const queue: Job[] = [];
  let worker: Worker | undefined;
  let current: { job: Job; timer: NodeJS.Timeout | undefined } | undefined;
  /** Whether the live worker has loaded its code: a check's time limit starts then, not at boot. */
  let ready = false;
  let nextId = 1;

  function start(): Worker {
    const w = startWorker({ resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    // Never keeps the process alive on its own; close() ends it on shutdown.
    w.unref();
    ready = false;
    w.on("message", (reply: WorkerReply | typeof READY) => {
      if (worker !== w) return;
      if (reply === READY) {
        ready = true;
        if (current && current.timer === undefined) current.timer = arm(w, current.job);
        return;
      }
      if (!current || current.job.id !== reply.id) return;
      const { job } = current;
      finish();
      if (reply.ok) job.resolve(reply.result);
      else job.reject(new Error(`policy worker: ${reply.error}`));
    });
    w.on("error", (e) => fail(w, e));
    w.on("exit", () => fail(w, undefined));
    return w;
  }

  /** The worker died under the current job (heap limit, crash): that job fails, the next gets a fresh worker. */
  function fail(w: Worker, e: unknown): void {
    if (worker !== w) return;
    worker = undefined;
    if (!current) return;
    const { job } = current;
    finish();
    const heap = e instanceof Error && /memory|heap/i.test(e.message);
    job.reject(
      heap
        ? new AppError("UNPROCESSABLE", `the policy check exceeded its memory limit (${maxHeapMb} MB)`)
        : new Error(`policy worker stopped: ${e instanceof Error ? e.message : "exited"}`),
    );
  }

  function finish(): void {
    if (current) clearTimeout(current.timer);
    current = undefined;
    setImmediate(pump);
  }

  function pump(): void {
    if (current) return;
    const job = queue.shift();
    if (!job) return;
    worker ??= start();
    const w = worker;
    current = { job, timer: ready ? arm(w, job) : undefined };
    const msg: WorkerRequest = { id: job.id, req: job.req };
    w.postMessage(msg);
  }

  /** The hard limit: past it the worker is terminated and the check fails with a 422. */
  function arm(w: Worker, job: Job): NodeJS.Timeout {
    return setTimeout(() => {
      if (current?.job !== job) return;
      worker = undefined;
      finish();
      void w.terminate();
      job.reject(
        new AppError(
          "UNPROCESSABLE",
          `the policy check exceeded its ${timeoutMs / 1000} s limit (compiling and running its tests); it was stopped`,
        ),
      );
    }, timeoutMs);
  }

  function submit<T>(req: CheckRequest): Promise<T> {
    if (queue.length >= maxQueue) {
      return Promise.reject(new AppError("UNAVAILABLE", "too many policy checks are waiting; retry shortly"));
    }
    return new Promise<T>((resolve, reject) => {
      queue.push({ id: nextId++, req, resolve: resolve as (v: unknown) => void, reject });
      pump();
    });
  }

  return {
    validate: (content) => submit<ValidateOutcome>({ op: "validate", content }),
    check: (name, content) => submit<CheckOutcome>({ op: "check", name, content }),
    async close() {
      const w = worker;
      worker = undefined;
      for (const job of queue.splice(0)) job.reject(new AppError("UNAVAILABLE", "shutting down"));
      if (current) {
        const { job } = current;
        clearTimeout(current.timer);
        current = undefined;
        job.reject(new AppError("UNAVAILABLE", "shutting down"));
      }
      if (w) await w.terminate();
    },
  };
}
