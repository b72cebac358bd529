import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CpuPerRequest, measureCpu } from "./cpu-usage.js";
import { load } from "./load.js";

const SARK_MAIN = join(import.meta.dirname, "..", "..", "dist", "src", "main.js");
if (!existsSync(SARK_MAIN)) throw new Error(`${SARK_MAIN} is missing: run \`npm run build\` (npm run bench does)`);

export interface RunningServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

async function spawnAndWait(args: string[], env: Record<string, string>, ready: string): Promise<RunningServer> {
  const port = await freePort();
  // The server's output goes to a file, as a container runtime's log driver would take it. Piping it
  // into this process would make the load generator, which shares the 2 cores, read every access
  // line and so slow down the load it offers.
  const logDir = mkdtempSync(join(tmpdir(), "sark-bench-log-"));
  const logPath = join(logDir, "server.log");
  const logFd = openSync(logPath, "w");
  const child: ChildProcess = spawn(process.execPath, args, {
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", ...env },
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  const deadline = Date.now() + 60_000;
  const startupOutput = () => readFileSync(logPath, "utf8").slice(0, 64 * 1024);
  while (!startupOutput().includes(ready)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${startupOutput()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => {
          rmSync(logDir, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGTERM");
      }),
  };
}

/**
 * `sark serve` from the build output, as `npm start` runs it, in a child process (the load
 * generator runs in this one, sharing the 2 cores). `npm run bench` builds first; `main` names
 * another build's entry point (compare-builds.ts).
 */
export function startSark(env: Record<string, string>, main = SARK_MAIN): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "sark-bench-"));
  return spawnAndWait([main, "serve"], { SARK_DATA_DIR: dataDir, ...UNREACHABLE_LIMITS, ...env }, "listening on");
}

/**
 * One bench client drives thousands of requests a second, far past the default per-user and
 * per-address limits. The limiter stays in the path (its cost is part of every number) with
 * ceilings no run reaches; the rate-limit suite measures it on and off.
 */
const UNREACHABLE_LIMITS = {
  RATE_LIMIT_PER_USER: "10000000",
  RATE_LIMIT_PER_API_KEY: "10000000",
  RATE_LIMIT_PER_IP: "10000000",
};

/** A bare Fastify route in a child process: the ceiling SARK's routes are compared against. */
export function startBareFastify(): Promise<RunningServer> {
  return spawnAndWait(["--import", "tsx", "bench/lib/bare-server.ts"], {}, "listening on");
}

/** Measures the bare Fastify route (the reference every HTTP suite reports its ratio against). */
export async function measureBare(
  suite: string,
  connections?: number,
): Promise<{
  rps: number;
  cpu: CpuPerRequest | undefined;
  row: { suite: string; name: string; perSecond: number; p50Ms: number; p99Ms: number };
}> {
  const bare = await startBareFastify();
  try {
    const durationS = 10;
    const { result: r, cpu } = await measureCpu(bare.pid, durationS, () =>
      load({ url: `${bare.url}/bare`, durationS, ...(connections ? { connections } : {}) }),
    );
    return {
      rps: r.rps,
      cpu,
      row: { suite, name: "bare Fastify GET (reference)", perSecond: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms },
    };
  } finally {
    await bare.stop();
  }
}
