import type { FastifyReply, FastifyRequest } from "fastify";
import type { RequestFacts } from "../core/authorizer.js";
import type { Principal } from "../core/caller.js";
import { unauthenticated } from "./jwt.js";
import { actorOf } from "./request-actor.js";
import type { AuditContext } from "./users-service.js";

/** The authenticated principal; the global hook guarantees one on non-public routes. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated("authentication required");
  return request.principal;
}

/** Who did it, for audit events recorded by the services. */
export function auditContextOf(request: FastifyRequest): AuditContext {
  return { actor: actorOf(request), requestId: String(request.id) };
}

/** Request facts for policy decisions (and their audit trail). */
export function factsOf(request: FastifyRequest): RequestFacts {
  return { ip: request.ip, userAgent: request.headers["user-agent"], requestId: String(request.id) };
}

/**
 * Responses carrying a credential (tokens, a new API key) must not be stored by browsers or
 * proxies (RFC 6749 §5.1); `Pragma` covers HTTP/1.0 caches.
 */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header("cache-control", "no-store").header("pragma", "no-cache");
}
