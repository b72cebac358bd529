import { Agent, request } from "node:http";

export interface ConstantRateResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  non2xx: number;
}

/**
 * An open-loop load at a fixed request rate with evenly spaced arrivals, for latency targets such as
 * "p99 ≤ 10 ms at 2,000 req/s". autocannon's rate option is unsuitable: each connection sends its
 * per-second quota back to back and then waits for the next second, so the server sees bursts, and its
 * coordinated-omission correction then adds synthetic samples for every response slower than 1 ms.
 * Here request i is due at start + i/rate, and its latency counts from that due time, so a stalled
 * server is charged for the requests it delayed (no coordinated omission).
 */
export async function constantRate(opts: {
  url: string;
  rate: number;
  durationS: number;
  headers?: Record<string, string>;
  /** Most requests in flight (sockets); late requests wait for one, and that wait counts. */
  connections?: number;
}): Promise<ConstantRateResult> {
  const target = new URL(opts.url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections ?? 64 });
  const total = Math.round(opts.rate * opts.durationS);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let sent = 0;
  let done = 0;
  const start = performance.now();

  const send = (dueAt: number) =>
    new Promise<void>((resolve) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          agent,
          headers: opts.headers,
        },
        (res) => {
          if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) non2xx++;
          res.on("data", () => {});
          res.on("end", () => {
            latencies.push(performance.now() - dueAt);
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end();
    });

  await new Promise<void>((resolve) => {
    const pending: Promise<void>[] = [];
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) / 1000) * opts.rate) + 1);
      while (sent < due) {
        const dueAt = start + (sent / opts.rate) * 1000;
        sent++;
        pending.push(
          send(dueAt).then(() => {
            done++;
          }),
        );
      }
      if (sent < total) setTimeout(tick, 1);
      else void Promise.all(pending).then(() => resolve());
    };
    tick();
  });
  agent.destroy();

  const elapsedS = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: done / elapsedS, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1), errors, non2xx };
}
