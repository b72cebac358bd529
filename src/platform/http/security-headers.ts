import type { FastifyReply, FastifyRequest } from "fastify";

/** The API serves JSON only, so its CSP forbids everything; the docs UI needs its own assets. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

export function securityHeaders(options: { hsts: boolean }) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "no-referrer");
    reply.header("content-security-policy", request.url.startsWith("/docs") ? DOCS_CSP : API_CSP);
    reply.header("cross-origin-opener-policy", "same-origin");
    if (options.hsts) reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
  };
}
