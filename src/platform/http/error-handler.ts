import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { CacheUnavailableError } from "../cache.js";
import { isConnectionFailure } from "../db/connection-errors.js";
import { AppError, ERROR_STATUS, type ErrorCode, type FieldError } from "../errors.js";
import type { Logger } from "../logger.js";

export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string; details?: unknown };
}

/** Fastify's own error codes that are the client's fault, mapped onto our catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "VALIDATION_FAILED",
  FST_ERR_CTP_EMPTY_JSON_BODY: "VALIDATION_FAILED",
  FST_ERR_CTP_INVALID_JSON_BODY: "VALIDATION_FAILED",
  FST_ERR_VALIDATION: "VALIDATION_FAILED",
};

/**
 * PostgreSQL SQLSTATEs that mean "this value cannot be stored or compared": text with NUL (22021),
 * an unsupported Unicode escape in jsonb (22P05), a malformed literal (22P02, 22P04), a value out
 * of range or too long (22003, 22001, 22008), a program limit such as jsonb depth (class 54). The
 * request guard stops these before the database; this keeps any path it misses a 400, not a 500.
 */
const BAD_INPUT_SQLSTATES = new Set(["22001", "22003", "22008", "22021", "22P02", "22P04", "22P05"]);

function isBadInputDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown; severity?: unknown }).code;
  const severity = (error as { severity?: unknown }).severity;
  // `severity` marks a PostgreSQL (or PGlite) error, not a Node errno that happens to share a code.
  if (typeof code !== "string" || typeof severity !== "string") return false;
  return BAD_INPUT_SQLSTATES.has(code) || code.startsWith("54");
}

function fieldErrors(error: FastifyError): FieldError[] {
  const part = error.validationContext ?? "body";
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown> | undefined;
    const missing = typeof params?.missingProperty === "string" ? `/${params.missingProperty}` : "";
    const extra = typeof params?.additionalProperty === "string" ? `/${params.additionalProperty}` : "";
    return { path: `${part}${v.instancePath ?? ""}${missing}${extra}`, message: v.message ?? "is invalid" };
  });
}

export function renderError(request: FastifyRequest, code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, request_id: String(request.id), ...(details === undefined ? {} : { details }) } };
}

/** Seconds a client should wait before retrying after a dependency failure. */
const DEPENDENCY_RETRY_AFTER_S = "2";

/**
 * A lost database connection, an unreachable database or an unavailable cache the caller could
 * not fall back from, as the AppError the client sees (503, `retry-after`), or `undefined` for
 * anything else. The driver's text stays in the log.
 */
export function dependencyFailure(error: unknown): AppError | undefined {
  const which = isConnectionFailure(error)
    ? "the database"
    : error instanceof CacheUnavailableError
      ? "the cache"
      : undefined;
  if (!which) return undefined;
  return new AppError("DEPENDENCY_UNAVAILABLE", `${which} is unavailable; retry shortly`, {
    headers: { "retry-after": DEPENDENCY_RETRY_AFTER_S },
    cause: error,
  });
}

/**
 * 5xx answers an operator asked for (READ_ONLY_MODE): expected, one info line each, no stack. At
 * error level every write during a maintenance window would page someone and bury real failures.
 */
const OPERATOR_CHOSEN: ReadonlySet<string> = new Set(["READ_ONLY"]);

/**
 * The single error handler: AppErrors render as themselves, Fastify's client errors map onto the
 * catalogue, dependency failures are 503, anything else is a 500 with a generic message and a full
 * log line.
 */
export function createErrorHandler(logger: Logger) {
  return (error: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof AppError) {
      if (OPERATOR_CHOSEN.has(error.code)) logger.info({ reqId: request.id, code: error.code }, error.message);
      else if (error.status >= 500) logger.error({ err: error, reqId: request.id }, error.message);
      reply.headers(error.headers);
      return reply.status(error.status).send(renderError(request, error.code, error.message, error.details));
    }
    const fe = error as FastifyError;
    if (fe.validation) {
      const fields = fieldErrors(fe);
      return reply.status(400).send(renderError(request, "VALIDATION_FAILED", "request validation failed", { fields }));
    }
    const mapped = fe.code ? FASTIFY_CODES[fe.code] : undefined;
    if (mapped) {
      return reply.status(ERROR_STATUS[mapped]).send(renderError(request, mapped, fe.message));
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send(renderError(request, "VALIDATION_FAILED", fe.message));
    }
    const unavailable = dependencyFailure(error);
    if (unavailable) {
      logger.warn({ err: error, reqId: request.id }, unavailable.message);
      reply.headers(unavailable.headers);
      return reply.status(unavailable.status).send(renderError(request, unavailable.code, unavailable.message));
    }
    if (isBadInputDatabaseError(error)) {
      logger.warn({ err: error, reqId: request.id }, "database rejected a request value");
      return reply
        .status(400)
        .send(renderError(request, "VALIDATION_FAILED", "a value in the request cannot be stored or compared"));
    }
    logger.error({ err: error, reqId: request.id }, "unhandled error");
    return reply
      .status(500)
      .send(renderError(request, "INTERNAL", "internal error; see the server log for this request id"));
  };
}
