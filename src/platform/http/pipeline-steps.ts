import type { FastifyRequest } from "fastify";
import { type AuditRecorder, auditActorOf } from "../../core/audit.js";
import type { CallerIdentity } from "../../core/caller.js";
import { AppError, isAppError } from "../errors.js";
import { requestFactsOf } from "./caller.js";
import type { PipelineStep } from "./pipeline.js";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Echoes the request id (accepted from `X-Request-ID` or generated: request-id.ts) on every answer. */
export const requestIdStep: PipelineStep = {
  name: "request-id",
  async run(request, reply) {
    reply.header("x-request-id", request.id);
  },
};

/** Security headers; the docs UI gets its own CSP. CORS runs before the pipeline (its plugin answers preflights). */
export function securityHeadersStep(values: {
  api: Record<string, string>;
  docs: Record<string, string>;
}): PipelineStep {
  return {
    name: "security-headers",
    async run(request, reply) {
      reply.headers(request.url.startsWith("/docs") ? values.docs : values.api);
    },
  };
}

/**
 * Resolves the credential to one Caller for every non-public route (an unknown URL is left to the
 * 404 handler). A request without a valid credential is not refused here: its 401 is kept on the
 * request so the rate-limit step can count it against the client address first (credential
 * guessing is limited like any other anonymous traffic); `requireAuthenticationStep` sends it.
 */
export function authenticateStep(authenticate: (request: FastifyRequest) => Promise<CallerIdentity>): PipelineStep {
  return {
    name: "authenticate",
    async run(request) {
      if (request.routeOptions.config.public || !request.routeOptions.url) return;
      try {
        const identity = await authenticate(request);
        request.caller = { principal: identity.principal, auth: identity.auth, request: requestFactsOf(request) };
      } catch (e) {
        if (!isAppError(e) || e.status !== 401) throw e;
        request.authenticationFailure = e;
      }
    },
  };
}

/** Sends the 401 the authenticate step kept (after the rate-limit step has counted the request). */
export const requireAuthenticationStep: PipelineStep = {
  name: "require-authentication",
  async run(request) {
    if (request.authenticationFailure) throw request.authenticationFailure;
  },
};

/** With READ_ONLY_MODE every state-changing route not marked `allowInReadOnly` is audited and refused (503). */
export function readOnlyStep(readOnly: boolean, audit: AuditRecorder): PipelineStep {
  return {
    name: "read-only-guard",
    async run(request) {
      if (!readOnly || !STATE_CHANGING.has(request.method) || request.routeOptions.config.allowInReadOnly) return;
      await audit.record({
        event_type: "system.read_only_rejected",
        severity: "low",
        outcome: "denied",
        actor: auditActorOf(request.caller ?? requestFactsOf(request)),
        action: `${request.method} ${request.routeOptions.url ?? request.url}`,
        request_id: String(request.id),
      });
      throw new AppError("READ_ONLY", "SARK is in read-only mode (READ_ONLY_MODE=true); changes are disabled", {
        headers: { "retry-after": "60" },
      });
    },
  };
}
