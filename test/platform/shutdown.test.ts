import { Agent, request } from "node:http";
import { describe, expect, it } from "vitest";
import { startSark } from "../helpers/process.js";

interface Outcome {
  status?: number;
  error?: string;
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

describe("graceful shutdown", () => {
  it("SIGTERM during a stream of keep-alive requests: no reset, readiness drops, exit 0", async () => {
    const sark = await startSark({ SHUTDOWN_DELAY_MS: "700", SHUTDOWN_GRACE_MS: "5000" });
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
  });
});
