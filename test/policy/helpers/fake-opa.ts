import http from "node:http";
import type { AddressInfo } from "node:net";

/** A fake OPA REST server: records every request and answers with whatever `respond` says. */
export interface FakeOpa {
  url: string;
  requests: Array<{ method: string; path: string; body: unknown; headers: http.IncomingHttpHeaders }>;
  respond: (body: unknown) => { status?: number; body?: unknown; raw?: string; delayMs?: number };
  close(): Promise<void>;
}

export async function startFakeOpa(): Promise<FakeOpa> {
  const fake: FakeOpa = {
    url: "",
    requests: [],
    respond: () => ({ body: { result: { allow: true } } }),
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const body: unknown = text ? JSON.parse(text) : undefined;
      fake.requests.push({ method: req.method ?? "", path: req.url ?? "", body, headers: req.headers });
      const answer = fake.respond(body);
      const send = () => {
        res.writeHead(answer.status ?? 200, { "content-type": "application/json" });
        res.end(answer.raw ?? JSON.stringify(answer.body ?? {}));
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}
