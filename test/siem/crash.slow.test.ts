import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN } from "../helpers/app.js";
import { eventually } from "../helpers/eventually.js";
import { acceptedHecIds, type FakeReceiver, startReceiver } from "./fake-receivers.js";
import { auditIdsInOrder, createSharedStore, type SharedStore, seedEvents, startSark } from "./harness.js";

const ROOT = new URL("../../", import.meta.url).pathname;

interface Child {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A real `sark serve` process (tsx, no build step) on the shared store. */
function startServe(env: Record<string, string>): Child {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|REDIS_URL|SPLUNK_|DATADOG_|SIEM_)/.test(k)),
  ) as Record<string, string>;
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve"], {
    cwd: ROOT,
    env: { ...base, HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "warn", SARK_ADMIN_PASSWORD: ADMIN.password, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { proc, output: () => out.slice(-4000), exited };
}

/** Waits for `check`, failing at once (with the child's output) if the child dies first. */
async function waitWhileAlive(child: Child, check: () => boolean, what: string): Promise<void> {
  let dead: string | undefined;
  void child.exited.then((e) => {
    dead = `sark serve exited (${e.code ?? e.signal}) before ${what}:\n${child.output()}`;
  });
  await eventually(() => dead !== undefined || check(), { timeoutMs: 90_000, what });
  if (dead) throw new Error(dead);
}

describe("SIGKILL during forwarding", () => {
  let store: SharedStore;
  let hec: FakeReceiver;
  const children: Child[] = [];

  beforeAll(async () => {
    store = await createSharedStore();
    hec = await startReceiver();
  });
  afterAll(async () => {
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
    await hec?.close();
    await store?.drop();
  });

  it("loses no event: the restarted process resumes from the last acknowledged batch", async () => {
    const seeder = await startSark(store, {});
    await seedEvents(seeder.ctx, 3000);
    const expected = await auditIdsInOrder(seeder.ctx);
    await seeder.close();

    // Slow answers and small batches, so the kill lands while batches are in flight.
    hec.delayMs = 25;
    const env = {
      ...store.childEnv,
      SPLUNK_HEC_URL: hec.url,
      SPLUNK_HEC_TOKEN: "crash-token",
      SIEM_BATCH_SIZE: "100",
      SIEM_FLUSH_INTERVAL_MS: "20",
    };
    const first = startServe(env);
    children.push(first);
    await waitWhileAlive(first, () => hec.accepted().length >= 5, "the first batches to arrive");
    first.proc.kill("SIGKILL");
    expect((await first.exited).signal).toBe("SIGKILL");
    const deliveredBeforeKill = new Set(acceptedHecIds(hec)).size;
    expect(deliveredBeforeKill).toBeLessThan(expected.length);

    hec.delayMs = 0;
    const second = startServe(env);
    children.push(second);
    await waitWhileAlive(
      second,
      () => {
        const got = new Set(acceptedHecIds(hec));
        return expected.every((id) => got.has(id));
      },
      "every event after the restart",
    );
    second.proc.kill("SIGTERM");
    const exit = await second.exited;
    expect(exit.code, second.output()).toBe(0);

    const got = new Set(acceptedHecIds(hec));
    expect(expected.filter((id) => !got.has(id))).toEqual([]);
  }, 180_000);
});
