import type { FastifyRequest } from "fastify";
import type { RequestFacts } from "../policy/authorizer.js";
import { unauthenticated } from "./jwt.js";
import type { Principal } from "./principal.js";
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
