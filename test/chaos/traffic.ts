import { request } from "node:http";

export interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request on its own connection; rejects on a transport error or after `timeoutMs`. */
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

/** What the traffic saw, per kind of request. */
export interface TrafficLog {
  /** Request ids of registrations answered 201 (acknowledged state changes), per replica. */
  registered: Map<string, string>;
  /** Answers that are bugs whatever the chaos: a 5xx other than 503 DEPENDENCY_UNAVAILABLE, or a 4xx. */
  unexpected: string[];
  /** Transport errors (connection refused/reset, timeouts), per replica label. */
  transportErrors: Map<string, number>;
  counts: Map<string, number>;
}

export function newTrafficLog(): TrafficLog {
  return { registered: new Map(), unexpected: [], transportErrors: new Map(), counts: new Map() };
}

const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);

/**
 * Classifies one answer: the status each request kind may have under chaos is its success status
 * or 503 DEPENDENCY_UNAVAILABLE with retry-after. Anything else is recorded as unexpected.
 */
export function noteAnswer(log: TrafficLog, label: string, kind: string, ok: number, res: Reply): boolean {
  bump(log.counts, `${label} ${kind} ${res.status}`);
  if (res.status === ok) return true;
  let code: string | undefined;
  try {
    code = (JSON.parse(res.body) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  if (res.status === 503 && code === "DEPENDENCY_UNAVAILABLE" && res.headers["retry-after"] !== undefined) return false;
  log.unexpected.push(`${label} ${kind}: ${res.status} ${res.body.slice(0, 300)}`);
  return false;
}

export function noteTransportError(log: TrafficLog, label: string): void {
  bump(log.transportErrors, label);
}
