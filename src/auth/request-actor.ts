import type { FastifyRequest } from "fastify";
import type { AuditActor } from "../core/audit.js";

/** The audit `actor` for a request: its principal (if any), client address and user agent. */
export function actorOf(request: FastifyRequest): AuditActor {
  const p = request.principal;
  // Keys in sorted order, as the audit event stores them (nothing to sort per event).
  return {
    api_key_id: p?.apiKeyId ?? null,
    auth_method: p?.authMethod ?? null,
    ip: request.ip,
    user_agent: request.headers["user-agent"] ?? null,
    user_id: p?.id ?? null,
    username: p?.username ?? null,
  };
}
