import type { FastifyReply, FastifyRequest } from "fastify";
import type { Counter, Histogram } from "prom-client";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";

interface RouteMetrics {
  requests: ReturnType<Counter<"method" | "route" | "status">["labels"]>;
  duration: ReturnType<Histogram<"method" | "route" | "status">["labels"]>;
}

/**
 * RED metrics and one JSON access-log line per request. Labelled metric children are cached per
 * (method, route template, status) so the hot path does no label hashing; the route template
 * (not the raw path) keeps label cardinality bounded.
 */
export function createAccessLog(logger: Logger, metrics: Metrics) {
  const children = new Map<string, RouteMetrics>();
  // The access line carries only fixed, non-secret fields (no headers, no query string, no body),
  // so it skips the logger's redaction pass, which costs about a quarter of a cheap route's time.
  const accessLogger = logger.child({}, { redact: [] });
  return (request: FastifyRequest, reply: FastifyReply): void => {
    const route = request.routeOptions.url ?? "unmatched";
    const status = reply.statusCode;
    const key = `${request.method} ${status} ${route}`;
    let m = children.get(key);
    if (!m) {
      const labels = { method: request.method, route, status: String(status) };
      m = { requests: metrics.httpRequests.labels(labels), duration: metrics.httpDuration.labels(labels) };
      children.set(key, m);
    }
    const ms = reply.elapsedTime;
    m.requests.inc();
    m.duration.observe(ms / 1000);
    if (!accessLogger.isLevelEnabled("info")) return;
    const q = request.url.indexOf("?");
    // The path only: query strings can carry tokens, and bodies are never logged.
    accessLogger.info(
      {
        reqId: request.id,
        method: request.method,
        route,
        path: q === -1 ? request.url : request.url.slice(0, q),
        status,
        ms: Math.round(ms * 100) / 100,
        user: request.principal?.id,
        ip: request.ip,
      },
      "request",
    );
  };
}
