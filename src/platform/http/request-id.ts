import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Honour a caller's X-Request-ID so traces join up across services, but only when it is short and
 * plain: it is echoed in headers and logs, where an arbitrary value could inject content.
 */
export function requestIdFrom(req: IncomingMessage): string {
  const header = req.headers["x-request-id"];
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate && SAFE_ID.test(candidate) ? candidate : randomUUID();
}
