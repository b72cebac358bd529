import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN } from "../helpers/app.js";
import { BACKEND_LABEL } from "../helpers/backends.js";
import { eventually } from "../helpers/eventually.js";
import { cliDatabaseEnv, runSark, type SarkProcess, startSark } from "../helpers/process.js";

/**
 * Issue 14, item 6: after `kill -9` under write load, acknowledged registrations had no
 * `server.registered` event (the writer held them in memory). A long flush interval widens that
 * window to the whole test, so any event kept only in memory is lost for certain; with the outbox
 * every acknowledged change has its event in the database before the 201 is sent.
 */
describe(`audit completeness across SIGKILL (${BACKEND_LABEL})`, () => {
  let db: Awaited<ReturnType<typeof cliDatabaseEnv>>;
  let env: Record<string, string>;
  const processes: SarkProcess[] = [];

  beforeAll(async () => {
    db = await cliDatabaseEnv("sark-audit-crash-");
    env = { ...db.env, SARK_ADMIN_PASSWORD: ADMIN.password, AUDIT_FLUSH_INTERVAL_MS: "10000" };
  }, 60_000);
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await db?.drop();
  });

  async function token(url: string): Promise<string> {
    const res = await fetch(`${url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** Registers servers from `workers` concurrent loops until `stop()`; returns the ids acknowledged with 201. */
  function registerUntilStopped(url: string, auth: string, workers: number) {
    const acknowledged: string[] = [];
    let stopped = false;
    let n = 0;
    const loop = async () => {
      while (!stopped) {
        const name = `crash-${n++}`;
        try {
          const res = await fetch(`${url}/api/v1/servers`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${auth}` },
            body: JSON.stringify({ name, transport: "streamable-http", endpoint: `https://mcp.example.test/${name}` }),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        } catch {
          // The process died under this request: not acknowledged.
          return;
        }
      }
    };
    const done = Promise.all(Array.from({ length: workers }, loop));
    return {
      acknowledged,
      stop: async () => {
        stopped = true;
        await done;
      },
    };
  }

  interface ListedEvent {
    resource: { id: string } | null;
    request_id: string | null;
  }

  async function listEvents(url: string, auth: string, eventType: string): Promise<ListedEvent[]> {
    const events: ListedEvent[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `event_type=${eventType}&limit=200${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await fetch(`${url}/api/v1/audit/events?${query}`, { headers: { authorization: `Bearer ${auth}` } });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { items: ListedEvent[]; next_cursor: string | null };
      events.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return events;
  }

  const registeredEventIds = async (url: string, auth: string) =>
    new Set((await listEvents(url, auth, "server.registered")).flatMap((e) => (e.resource ? [e.resource.id] : [])));

  it("every 201-acknowledged registration has its server.registered event after a restart", async () => {
    const first = await startSark(env, 120_000);
    processes.push(first);
    const load = registerUntilStopped(first.url, await token(first.url), 6);
    await eventually(() => load.acknowledged.length >= 40, {
      timeoutMs: 60_000,
      what: "40 acknowledged registrations",
    });
    // Killed with requests in flight: some commit without an answer, none is answered unrecorded.
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    await load.stop();
    const acknowledged = [...load.acknowledged];
    expect(acknowledged.length).toBeGreaterThanOrEqual(40);

    const second = await startSark(env, 120_000);
    processes.push(second);
    const auth = await token(second.url);
    // The outbox rows the killed process left are drained at start; nothing waits for a flush.
    await eventually(
      async () => {
        const recorded = await registeredEventIds(second.url, auth);
        expect(acknowledged.filter((id) => !recorded.has(id))).toEqual([]);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );

    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    const verify = runSark(["audit", "verify"], env);
    expect(verify.stdout, verify.stderr).toMatch(/^ok: /);
    expect(verify.code).toBe(0);
  }, 300_000);

  // Decisions stay batched in memory (the hot path); SIGTERM must still write every one of them.
  it("SIGTERM writes every buffered decision event before exiting", async () => {
    const sark = await startSark(env, 120_000);
    processes.push(sark);
    const auth = await token(sark.url);
    const requestIds = Array.from({ length: 30 }, (_, i) => `sigterm-decision-${i}`);
    for (const id of requestIds) {
      const res = await fetch(`${sark.url}/api/v1/servers`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${auth}`, "x-request-id": id },
        body: JSON.stringify({ name: id, transport: "streamable-http", endpoint: `https://mcp.example.test/${id}` }),
      });
      expect(res.status).toBe(201);
    }
    sark.child.kill("SIGTERM");
    expect(await sark.exited).toBe(0);

    const next = await startSark(env, 120_000);
    processes.push(next);
    const decided = new Set(
      (await listEvents(next.url, await token(next.url), "policy.decision")).map((e) => e.request_id),
    );
    expect(requestIds.filter((id) => !decided.has(id))).toEqual([]);
    next.child.kill("SIGTERM");
    expect(await next.exited).toBe(0);
  }, 300_000);
});
