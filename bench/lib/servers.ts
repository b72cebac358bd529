import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "./load.js";

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
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", ...args], {
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Keep output only until the server is up; afterwards access logs are read and dropped.
  let out = "";
  let started = false;
  const collect = (d: Buffer) => {
    if (!started) out += d.toString();
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const deadline = Date.now() + 60_000;
  while (!out.includes(ready)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  started = true;
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** `sark serve` in a child process (the load generator runs in this one, sharing the 2 cores). */
export function startSark(env: Record<string, string>): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "sark-bench-"));
  return spawnAndWait(["src/main.ts", "serve"], { SARK_DATA_DIR: dataDir, ...env }, "listening on");
}

/** A bare Fastify route in a child process: the ceiling SARK's routes are compared against. */
export function startBareFastify(): Promise<RunningServer> {
  return spawnAndWait(["bench/lib/bare-server.ts"], {}, "listening on");
}

/** Measures the bare Fastify route (the reference every HTTP suite reports its ratio against). */
export async function measureBare(
  suite: string,
  connections?: number,
): Promise<{ rps: number; row: { suite: string; name: string; perSecond: number; p50Ms: number; p99Ms: number } }> {
  const bare = await startBareFastify();
  try {
    const r = await load({ url: `${bare.url}/bare`, ...(connections ? { connections } : {}) });
    return {
      rps: r.rps,
      row: { suite, name: "bare Fastify GET (reference)", perSecond: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms },
    };
  } finally {
    await bare.stop();
  }
}
