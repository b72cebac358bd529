import type { FastifyReply } from "fastify";

/**
 * Responses carrying a credential (tokens, a new API key) must not be stored by browsers or
 * proxies (RFC 6749 §5.1); `Pragma` covers HTTP/1.0 caches.
 */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header("cache-control", "no-store").header("pragma", "no-cache");
}
