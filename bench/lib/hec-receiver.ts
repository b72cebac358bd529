import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * A minimal Splunk HEC stand-in for benchmarks: counts delivered events and, for each, the delay
 * between the audit event's timestamp (HEC `time`) and its arrival. Stores nothing else.
 */
export async function startHecReceiver() {
  let events = 0;
  let lagsMs: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const now = Date.now();
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString("utf8") : raw.toString();
      for (const m of body.matchAll(/\{"time":([0-9.]+)/g)) {
        events++;
        lagsMs.push(now - Number(m[1]) * 1000);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"text":"Success","code":0}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/collector/event`,
    count: () => events,
    /** Lags recorded since the last call (and forgets them). */
    takeLags(): number[] {
      const out = lagsMs;
      lagsMs = [];
      return out;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
