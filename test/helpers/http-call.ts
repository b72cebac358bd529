import { request } from "node:http";

export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * One HTTP request to a SARK on 127.0.0.1, on its own connection; rejects on a transport error or
 * after `timeoutMs`.
 */
export function call(
  port: number,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; requestId?: string; timeoutMs?: number } = {},
): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        agent: false,
        headers: {
          ...(payload ? { "content-type": "application/json" } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.requestId ? { "x-request-id": opts.requestId } : {}),
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    const timeoutMs = opts.timeoutMs ?? 10_000;
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.end(payload);
  });
}
