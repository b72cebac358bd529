import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestSchema, TEST_DATABASE_URL } from "./backends.js";
import { eventually } from "./eventually.js";

/** A free loopback port (bound and released; good enough for tests on one machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface SarkProcess {
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/** Starts `sark serve` (through tsx) as a real child process and waits until it listens. */
export async function startSark(env: Record<string, string> = {}, timeoutMs = 60_000): Promise<SarkProcess> {
  const port = await freePort();
  const dataDir = env.SARK_DATA_DIR ?? mkdtempSync(join(tmpdir(), "sark-proc-"));
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], {
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), SARK_DATA_DIR: dataDir, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? signal ?? -1));
  });
  const listening = () => out.includes("listening on");
  // Stops waiting as soon as the child exits: its output says why.
  await eventually(() => listening() || child.exitCode !== null, { timeoutMs, what: "sark to listen" }).catch(
    () => undefined,
  );
  if (!listening()) {
    child.kill("SIGKILL");
    throw new Error(`sark did not start:\n${out}`);
  }
  return { child, port, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

/** Runs the `sark` CLI from source to completion; returns its exit code and output. */
export function runSark(args: string[], env: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    env: { ...process.env, LOG_LEVEL: "warn", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/**
 * Environment for CLI processes on their own database: a fresh PGlite data dir, or (when CI sets
 * TEST_DATABASE_URL) a fresh PostgreSQL schema. The CLI has no schema flag, so the schema goes
 * into the connection's startup options.
 */
export async function cliDatabaseEnv(prefix: string): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const env: Record<string, string> = { SARK_DATA_DIR: mkdtempSync(join(tmpdir(), prefix)) };
  const schema = await createTestSchema();
  if (TEST_DATABASE_URL && schema) {
    const url = new URL(TEST_DATABASE_URL);
    url.searchParams.set("options", `-c search_path=${schema.schema}`);
    env.DATABASE_URL = url.toString();
  }
  return { env, drop: async () => schema?.drop() };
}
