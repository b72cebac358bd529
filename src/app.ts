import cors from "@fastify/cors";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyRequest } from "fastify";
import type { Context } from "./context.js";
import type { Principal } from "./core/caller.js";
import { AppError } from "./platform/errors.js";
import type { AppInstance } from "./platform/feature.js";
import { createAccessLog } from "./platform/http/access-log.js";
import { createErrorHandler, renderError } from "./platform/http/error-handler.js";
import { createClientErrorHandler, createFrameworkErrorHandler } from "./platform/http/framework-errors.js";
import { createInputGuard } from "./platform/http/input-guard.js";
import { requestIdFrom } from "./platform/http/request-id.js";
import { securityHeaders } from "./platform/http/security-headers.js";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** What a browser origin in CORS_ORIGINS may send: every method the API serves, and its auth headers. */
const CORS_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
const CORS_ALLOWED_HEADERS = ["authorization", "x-api-key", "content-type", "x-request-id"];

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
    bodyLimit: config.bodyLimitBytes,
    requestTimeout: config.requestTimeoutMs,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: true } },
    // Errors raised before a route runs still answer in the error envelope.
    clientErrorHandler: createClientErrorHandler(ctx.logger),
    frameworkErrors: createFrameworkErrorHandler(securityHeaderValues.api),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest("principal", undefined);
  app.setErrorHandler(createErrorHandler(ctx.logger));
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(renderError(request, "NOT_FOUND", `no route for ${request.method} ${request.url.split("?")[0]}`)),
  );

  // CORS first: its onRequest hook answers preflights before authentication runs.
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes("*") ? true : [...config.corsOrigins],
      credentials: !config.corsOrigins.includes("*"),
      methods: CORS_METHODS,
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: [
        "x-request-id",
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
      ],
    });
  }

  const access = createAccessLog(ctx.logger, ctx.metrics);
  // One onRequest hook for the whole pipeline prefix (ARCHITECTURE.md "Request pipeline"):
  // headers, authentication, read-only guard. Fewer hooks is measurably cheaper per request.
  // A callback hook rather than an async one: public routes then cost no promise at all.
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers(request.url.startsWith("/docs") ? securityHeaderValues.docs : securityHeaderValues.api);
    reply.header("x-request-id", request.id);
    const route = request.routeOptions;
    const guardReadOnly = config.readOnly && STATE_CHANGING.has(request.method) && !route.config.allowInReadOnly;
    const proceed = () => {
      if (guardReadOnly) rejectReadOnly(ctx, request).catch(done);
      else done();
    };
    if (route.config.public || !route.url) return proceed();
    // Authentication answers synchronously on a token-cache hit (authenticate.ts). done() is only
    // ever called once: never from a catch that could also see an error thrown after it.
    let result: Principal | Promise<Principal>;
    try {
      result = ctx.authenticate(request);
    } catch (e) {
      return done(e as Error);
    }
    if (result instanceof Promise) {
      result.then((principal) => {
        request.principal = principal;
        proceed();
      }, done);
    } else {
      request.principal = result;
      proceed();
    }
  });
  // Screens params, query and body once for every route (NUL, unpaired surrogates, nesting depth).
  app.addHook("preValidation", createInputGuard(config.maxJsonDepth));
  app.addHook("onResponse", (request, reply, done) => {
    access.record(request, reply);
    done();
  });

  await app.register(swagger, {
    openapi: {
      info: { title: "SARK API", version: ctx.version, description: "Governance gateway for MCP traffic" },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
  });
  // swagger-ui registers its own routes (hook first, so it sees them); mark them public.
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/docs")) route.config = { ...(route.config ?? {}), public: true };
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list" } });
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  for (const feature of ctx.features) {
    if (feature.routes) await app.register(async (scope) => feature.routes?.(scope));
  }
  return app;
}

/** Read-only mode: audit the rejected change, then refuse it with 503 READ_ONLY. */
async function rejectReadOnly(ctx: Context, request: FastifyRequest): Promise<never> {
  await ctx.audit.record({
    event_type: "system.read_only_rejected",
    severity: "low",
    outcome: "denied",
    actor: { user_id: request.principal?.id ?? null, username: request.principal?.username ?? null, ip: request.ip },
    action: `${request.method} ${request.routeOptions.url ?? request.url}`,
    request_id: String(request.id),
  });
  throw new AppError("READ_ONLY", "SARK is in read-only mode (READ_ONLY_MODE=true); changes are disabled", {
    headers: { "retry-after": "60" },
  });
}
