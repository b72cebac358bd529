import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/** One request as the fake SIEM saw it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Bytes on the wire (gzip when Content-Encoding says so). */
  raw: Buffer;
  /** The decoded body text. */
  body: string;
  /** What the receiver answered. */
  status: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Decides the answer to request number `index` (0-based); `undefined` means 200 OK. */
export type Responder = (req: Omit<ReceivedRequest, "status">, index: number) => Reply | undefined;

/**
 * A real HTTP server on 127.0.0.1 (random port) standing in for Splunk / Datadog / a webhook:
 * records every request and answers what the test tells it to, so tests can make it fail,
 * throttle or recover. `delayMs` slows every answer (to catch a process mid-delivery).
 */
export interface FakeReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests the receiver accepted (2xx): what was actually delivered. */
  accepted(): ReceivedRequest[];
  respond(responder: Responder): void;
  delayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(responder?: Responder): Promise<FakeReceiver> {
  let respondFn: Responder = responder ?? (() => undefined);
  const requests: ReceivedRequest[] = [];
  let count = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString("utf8") : raw.toString();
      const seen = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, raw, body };
      const reply = respondFn(seen, count++) ?? { status: 200, body: '{"text":"Success","code":0}' };
      const answer = () => {
        // Record only once the answer is on its way, so "accepted" means the client got a 2xx.
        requests.push({ ...seen, status: reply.status });
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(reply.body ?? "");
      };
      if (receiver.delayMs > 0) setTimeout(answer, receiver.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const receiver: FakeReceiver = {
    url: `http://127.0.0.1:${port}`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    respond(fn) {
      respondFn = fn;
    },
    delayMs: 0,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** HEC bodies are concatenated JSON objects (SARK writes one per line). */
export function hecEvents(
  req: ReceivedRequest,
): Array<{ event: { id: string; event_type: string } } & Record<string, unknown>> {
  return req.body
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

/** Every audit event id the receiver accepted from a HEC client, in arrival order. */
export function acceptedHecIds(receiver: FakeReceiver): string[] {
  return receiver.accepted().flatMap((r) => hecEvents(r).map((e) => e.event.id));
}
