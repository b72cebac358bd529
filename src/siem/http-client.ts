import http from "node:http";
import https from "node:https";
import { promisify } from "node:util";
import { constants, gzip as gzipCb } from "node:zlib";
import type { FailureReason, SendResult } from "./types.js";

const gzipAsync = promisify(gzipCb);

/** Fast compression: SIEM batches are repetitive JSON, level 1 already shrinks them ~10x cheaply. */
export const gzip = (body: string): Promise<Buffer> => gzipAsync(body, { level: constants.Z_BEST_SPEED });

export interface HttpPoster {
  /** POSTs `body` and classifies the response; never throws. */
  post(headers: Record<string, string>, body: Buffer, signal?: AbortSignal): Promise<SendResult>;
  close(): void;
}

export interface HttpPosterOptions {
  url: string;
  /** `false` accepts self-signed certificates (SPLUNK_VERIFY_TLS=false). */
  verifyTls?: boolean;
  timeoutMs?: number;
}

/** Longest `Retry-After` honoured; a misbehaving server must not park delivery for hours. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;
const MAX_ERROR_BODY = 500;

/**
 * A keep-alive POST client on `node:http(s)`. Not `fetch`: undici is not importable here, and
 * SPLUNK_VERIFY_TLS=false needs a per-destination agent with `rejectUnauthorized: false`.
 */
export function createHttpPoster(options: HttpPosterOptions): HttpPoster {
  const url = new URL(options.url);
  const secure = url.protocol === "https:";
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 4, rejectUnauthorized: options.verifyTls !== false })
    : new http.Agent({ keepAlive: true, maxSockets: 4 });
  const request = secure ? https.request : http.request;
  const timeoutMs = options.timeoutMs ?? 30_000;

  return {
    post(headers, body, signal) {
      return new Promise<SendResult>((resolve) => {
        const req = request(url, {
          method: "POST",
          agent,
          signal,
          timeout: timeoutMs,
          headers: { ...headers, "content-length": String(body.length) },
        });
        req.on("response", (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            if (size < MAX_ERROR_BODY) chunks.push(c);
            size += c.length;
          });
          res.on("end", () => resolve(classifyResponse(res.statusCode ?? 0, res.headers, Buffer.concat(chunks))));
          res.on("error", (e) => resolve(networkFailure(e)));
        });
        req.on("timeout", () => req.destroy(new TimeoutError(`no response within ${timeoutMs} ms`)));
        req.on("error", (e) => resolve(networkFailure(e)));
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}

class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

function networkFailure(e: Error): SendResult {
  const reason: FailureReason = e instanceof TimeoutError ? "timeout" : "network";
  const code = (e as NodeJS.ErrnoException).code;
  return { kind: "retryable", reason, message: code ? `${code}: ${e.message}` : e.message };
}

/**
 * Maps an HTTP answer to a SendResult. 401/403 are a bad credential: permanent (stop, never skip).
 * 408/429/5xx are transient; 413 makes the forwarder halve its batch. Other 4xx are retried too: they mean SARK sent something the receiver
 * refused, and dropping the batch would lose audit events; the circuit breaker bounds the noise.
 */
export function classifyResponse(status: number, headers: http.IncomingHttpHeaders, body: Buffer): SendResult {
  if (status >= 200 && status < 300) return { kind: "ok", status };
  const message = `HTTP ${status}${body.length ? `: ${body.toString("utf8", 0, MAX_ERROR_BODY).trim()}` : ""}`;
  if (status === 401 || status === 403) return { kind: "permanent", reason: "unauthorized", status, message };
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(headers["retry-after"]) : undefined;
  const reason: FailureReason =
    status === 429 ? "throttled" : status === 413 ? "too_large" : status >= 500 ? "server_error" : "rejected";
  return { kind: "retryable", reason, status, message, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
}

/** `Retry-After` is delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
