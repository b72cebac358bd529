import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ERROR_STATUS, type ErrorCode } from "../errors.js";
import type { Logger } from "../logger.js";
import { renderError } from "./error-handler.js";

/**
 * Node's HTTP parser rejects some requests before Fastify sees them (`clientError`): oversized
 * headers (431), a timed-out request (408), a malformed request line or header (400). Fastify's
 * default answer has its own body shape; this one answers with SARK's error envelope so clients
 * parse every error the same way. There is no request object yet, so the request id is fresh.
 */
export function createClientErrorHandler(logger: Logger) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    // A reset connection has nobody left to answer (Node's own rule).
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    const [code, message] = describeClientError(err.code);
    const requestId = randomUUID();
    const body = JSON.stringify({ error: { code, message, request_id: requestId } });
    logger.debug({ err, reqId: requestId }, "client error");
    if (socket.writable) {
      const status = ERROR_STATUS[code];
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Bad Request"}\r\n` +
          "Content-Type: application/json; charset=utf-8\r\n" +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-ID: ${requestId}\r\n` +
          "X-Content-Type-Options: nosniff\r\n" +
          "Connection: close\r\n\r\n" +
          body,
      );
    }
    socket.destroy(err);
  };
}

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

function describeClientError(nodeCode: string | undefined): [ErrorCode, string] {
  if (nodeCode === "HPE_HEADER_OVERFLOW") {
    return ["HEADERS_TOO_LARGE", "the request line and headers exceed the server's size limit"];
  }
  if (nodeCode === "ERR_HTTP_REQUEST_TIMEOUT") {
    return ["REQUEST_TIMEOUT", "the request was not received completely in time"];
  }
  return ["VALIDATION_FAILED", "malformed HTTP request"];
}

const FRAMEWORK_ERRORS: Record<string, [ErrorCode, string]> = {
  FST_ERR_BAD_URL: ["VALIDATION_FAILED", "the URL is not validly encoded"],
  FST_ERR_MAX_PARAM_LENGTH: ["URI_TOO_LONG", "a path segment is longer than the server accepts"],
};

/**
 * Errors Fastify's router raises before a route is chosen (Fastify's `frameworkErrors` option): a
 * URL that does not decode, a path parameter over the length limit. Rendered in the envelope, with
 * the request id and security headers the onRequest hook would otherwise have set.
 */
export function createFrameworkErrorHandler(headers: Readonly<Record<string, string>>) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const [code, message] = FRAMEWORK_ERRORS[error.code] ?? ["INTERNAL", "internal error"];
    reply
      .headers(headers)
      .header("x-request-id", request.id)
      .status(ERROR_STATUS[code])
      .send(renderError(request, code, message));
  };
}
