import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify from "fastify";
import type { Context } from "./context.js";
import type { TrustProxy } from "./platform/config/http.js";
import type { AppInstance } from "./platform/feature.js";
import { createAccessLog } from "./platform/http/access-log.js";
import { registerApiDocs } from "./platform/http/api-docs.js";
import { registerCors } from "./platform/http/cors.js";
import { createErrorHandler, renderError } from "./platform/http/error-handler.js";
import { createClientErrorHandler, createFrameworkErrorHandler } from "./platform/http/framework-errors.js";
import { createInputGuard } from "./platform/http/input-guard.js";
import { type PipelineStep, pipelineHook } from "./platform/http/pipeline.js";
import {
  authenticateStep,
  readOnlyStep,
  requestIdStep,
  requireAuthenticationStep,
  securityHeadersStep,
} from "./platform/http/pipeline-steps.js";
import { requestIdFrom } from "./platform/http/request-id.js";
import { securityHeaders } from "./platform/http/security-headers.js";

/**
 * Builds the HTTP app from a Context: the request pipeline (ARCHITECTURE.md) and every feature's
 * routes. Does not listen; callers (the CLI, tests via `inject`) decide.
 */
export async function buildApp(ctx: Context): Promise<AppInstance> {
  const { config } = ctx;
  const securityHeaderValues = securityHeaders({ hsts: config.environment === "production" });
  const app = Fastify({
    // No Fastify logger: it would build a child logger per request. The access log and error
    // handler write to ctx.logger directly (one line per request, path only, no query string).
    logger: false,
    genReqId: requestIdFrom,
    bodyLimit: config.http.bodyLimitBytes,
    requestTimeout: config.http.requestTimeoutMs,
    trustProxy: fastifyTrustProxy(config.http.trustProxy),
    return503OnClosing: true,
    forceCloseConnections: "idle",
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: true } },
    // Errors raised before a route runs still answer in the error envelope.
    clientErrorHandler: createClientErrorHandler(ctx.logger),
    frameworkErrors: createFrameworkErrorHandler(securityHeaderValues.api),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest("caller", undefined);
  app.decorateRequest("authenticationFailure", undefined);
  app.setErrorHandler(createErrorHandler(ctx.logger));
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(renderError(request, "NOT_FOUND", `no route for ${request.method} ${request.url.split("?")[0]}`)),
  );

  await registerCors(app, config.http.corsOrigins);

  const access = createAccessLog(ctx.logger, ctx.metrics);
  // The request pipeline (docs/ARCHITECTURE.md): each step a named function, run in this order.
  const pipeline: PipelineStep[] = [
    requestIdStep,
    securityHeadersStep(securityHeaderValues),
    authenticateStep(ctx.authenticate),
    ...(ctx.rateLimitStep ? [ctx.rateLimitStep] : []),
    requireAuthenticationStep,
    readOnlyStep(config.http.readOnly, ctx.audit),
  ];
  app.addHook("onRequest", pipelineHook(pipeline));
  // Screens params, query and body once for every route (NUL, unpaired surrogates, nesting depth).
  app.addHook("preValidation", createInputGuard(config.http.maxJsonDepth));
  app.addHook("onResponse", (request, reply, done) => {
    access.record(request, reply);
    done();
  });

  await registerApiDocs(app, ctx.version);
  for (const feature of ctx.features) {
    if (feature.routes) await app.register(async (scope) => feature.routes?.(scope));
  }
  return app;
}

/** Fastify's types lack the hop count its runtime accepts; a hop count is "trust the nearest n". */
function fastifyTrustProxy(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === "number") return (_address, hop) => hop < trust;
  return typeof trust === "boolean" ? trust : [...trust];
}
