/**
 * The single catalogue of error codes SARK returns, and the HTTP status of each. Clients key on
 * `code`; it never changes meaning once shipped.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  INVALID_CURSOR: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  FORBIDDEN: 403,
  POLICY_DENIED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  /** The client did not send a complete request in time (Node's request timeout). */
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  /** A path parameter longer than the router accepts. */
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  /** The request line and headers exceed Node's limit (--max-http-header-size, 16 KiB by default). */
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  BAD_GATEWAY: 502,
  READ_ONLY: 503,
  UNAVAILABLE: 503,
  /** A backing service (database, Redis, OPA) failed or timed out; retry shortly. */
  DEPENDENCY_UNAVAILABLE: 503,
  TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A field-level validation problem: `path` is a JSON pointer into the request part. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * The one error type services throw for expected failures. `message` is shown to the caller, so it
 * names what the caller sent and never includes SQL, stack traces or secrets.
 */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string, id: string): AppError => new AppError("NOT_FOUND", `${what} '${id}' not found`);

export const conflict = (message: string, details?: unknown): AppError =>
  new AppError("CONFLICT", message, { details });

export const validationFailed = (message: string, fields: FieldError[] = []): AppError =>
  new AppError("VALIDATION_FAILED", message, fields.length ? { details: { fields } } : {});

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** 401 errors carry the challenge header RFC 6750 asks for. */
export function unauthenticated(
  message: string,
  code: "UNAUTHENTICATED" | "TOKEN_EXPIRED" | "TOKEN_REVOKED" | "INVALID_CREDENTIALS" = "UNAUTHENTICATED",
): AppError {
  return new AppError(code, message, { headers: { "www-authenticate": "Bearer" } });
}
