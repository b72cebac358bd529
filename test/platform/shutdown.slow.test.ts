import { Agent, request } from "node:http";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { startSark } from "../helpers/process.js";

interface Outcome {
  status?: number;
  error?: string;
  /** For raw connections: whether the request had been written when the error came. */
  sent?: boolean;
}

function get(port: number, path: string, agent: Agent): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
      res.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

/**
 * A client whose request reaches the server `sendAfterMs` after its connection does (a slow
 * network, a proxy that connects ahead of need). Its request is sent, so it must be answered.
 */
function slowGet(port: number, path: string, sendAfterMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let response = "";
    let settled = false;
    let sent = false;
    const finish = (o: Outcome) => {
      if (!settled) resolve(o);
      settled = true;
    };
    const socket = connect(port, "127.0.0.1", () => {
      setTimeout(() => {
        if (socket.destroyed) return;
        sent = true;
        socket.write(`GET ${path} HTTP/1.1\r\nHost: sark\r\n\r\n`);
      }, sendAfterMs);
    });
    socket.on("data", (d: Buffer) => {
      response += d.toString();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1];
      if (status && response.includes("\r\n\r\n")) {
        finish({ status: Number(status) });
        socket.destroy();
      }
    });
    socket.on("error", (e: NodeJS.ErrnoException) => finish({ error: e.code ?? e.message, sent }));
    socket.on("close", () => finish({ error: "closed before a response", sent }));
  });
}

describe("graceful shutdown", () => {
  it("SIGTERM during a stream of keep-alive requests: no reset, readiness drops, exit 0", async () => {
    const sark = await startSark({ SHUTDOWN_DELAY_MS: "700", SHUTDOWN_GRACE_MS: "5000" }, 150_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const outcomes: Outcome[] = [];
    let sawNotReady = false;
    let stop = false;

    // Eight clients send back-to-back requests through a "load balancer" that, like a Kubernetes
    // Service, stops routing new requests to the pod once its readiness probe fails. Requests
    // already sent (including on reused keep-alive sockets) must all complete.
    let routedAway = false;
    const workers = Array.from({ length: 8 }, async () => {
      while (!stop && !routedAway) {
        const o = await get(sark.port, "/health", agent);
        outcomes.push(o);
        if (o.error === "ECONNREFUSED") return;
      }
    });
    const readinessWatcher = (async () => {
      while (!stop) {
        const r = await get(sark.port, "/ready", agent);
        if (r.status === 503) {
          sawNotReady = true;
          routedAway = true;
        }
        if (r.error === "ECONNREFUSED") return;
        await new Promise((res) => setTimeout(res, 50));
      }
    })();

    await new Promise((r) => setTimeout(r, 500));
    sark.child.kill("SIGTERM");
    const code = await sark.exited;
    await Promise.race([Promise.all([...workers, readinessWatcher]), new Promise((r) => setTimeout(r, 5000))]);
    stop = true;
    agent.destroy();

    const resets = outcomes.filter((o) => o.error && o.error !== "ECONNREFUSED");
    expect(resets).toEqual([]);
    expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThan(10);
    expect(outcomes.filter((o) => o.status !== undefined && o.status !== 200)).toEqual([]);
    expect(sawNotReady).toBe(true);
    expect(code).toBe(0);
  }, 240_000);

  it("SIGTERM at ~100 req/s: keep-alive pool and in-flight connections all answered, exit 0", async () => {
    const sark = await startSark({ SHUTDOWN_DELAY_MS: "1500", SHUTDOWN_GRACE_MS: "5000" }, 150_000);
    // A keep-alive pool at ~100 req/s behind a "load balancer" that routes new requests away once
    // readiness fails; plus, every 50 ms until the port refuses, a connection whose request arrives
    // 300 ms after it connects (a slow network, or a proxy whose endpoint list lags). A request that
    // was sent must be answered 200; a connection refused or reset before its request was written
    // carried no request (the load balancer retries it elsewhere).
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const pending: Promise<Outcome>[] = [];
    let routedAway = false;
    let refused = false;
    const watcher = (async () => {
      while (!routedAway && !refused) {
        const r = await get(sark.port, "/ready", agent);
        if (r.status === 503) routedAway = true;
        await new Promise((res) => setTimeout(res, 50));
      }
    })();
    const started = Date.now();
    let signalled = false;
    for (let tick = 0; !refused && Date.now() - started < 20_000; tick++) {
      if (!signalled && Date.now() - started > 1500) {
        sark.child.kill("SIGTERM");
        signalled = true;
      }
      if (!routedAway) pending.push(get(sark.port, "/health", agent));
      if (tick % 5 === 0) {
        pending.push(
          slowGet(sark.port, "/health", 300).then((o) => {
            if (o.error === "ECONNREFUSED") refused = true;
            return o;
          }),
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const code = await sark.exited;
    await watcher;
    const outcomes = await Promise.all(pending);
    agent.destroy();

    const lost = outcomes.filter((o) => (o.error && o.sent !== false) || (o.status && o.status !== 200));
    expect(lost, sark.output()).toEqual([]);
    expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThan(100);
    expect(code).toBe(0);
  }, 240_000);
});
