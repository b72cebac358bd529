import type { FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics.js";

/**
 * RED metrics and one JSON access line per request.
 * - Metrics are labelled by the route template (not the raw path), which keeps cardinality bounded.
 * - Access lines carry fixed, non-secret fields: the path without its query string (which can carry
 *   tokens), never headers or bodies. They are logged through a child logger without the redaction
 *   pass, which would otherwise run the logger's wildcard paths over every field of every line
 *   (measured at a fifth of a cheap route's throughput, docs/PERFORMANCE.md); with nothing secret
 *   in the line there is nothing for it to find. The log destination writes the lines of one
 *   event-loop turn together (log-destination.ts).
 */
export function createAccessLog(logger: Logger, metrics: Metrics) {
  const access = logger.child({}, { redact: [] });
  return {
    record(request: FastifyRequest, reply: FastifyReply): void {
      const route = request.routeOptions.url ?? "unmatched";
      const status = reply.statusCode;
      const ms = reply.elapsedTime;
      metrics.http.observe(request.method, route, status, ms / 1000);
      if (!access.isLevelEnabled("info")) return;
      const q = request.url.indexOf("?");
      access.info(
        {
          reqId: String(request.id),
          method: request.method,
          route,
          path: q === -1 ? request.url : request.url.slice(0, q),
          status,
          ms: Math.round(ms * 100) / 100,
          user: request.caller?.principal.id,
          ip: request.ip,
        },
        "request",
      );
    },
  };
}
