import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifySchema } from "fastify";
import type { AppInstance } from "../feature.js";

/**
 * The OpenAPI document (`/openapi.json`) built from every route's schema, and the docs UI (`/docs`).
 * Register before the features' routes so the document sees them.
 */
export async function registerApiDocs(app: AppInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: "SARK API", version, description: "Governance gateway for MCP traffic" },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
          apiKey: { type: "apiKey", in: "header", name: "X-API-Key" },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: ({ schema, url, route }) => ({
      url,
      schema: route.config?.rateLimitExempt ? schema : withRateLimitResponse(schema),
    }),
  });
  // swagger-ui registers its own routes (hook first, so it sees them); mark them public.
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/docs")) route.config = { ...(route.config ?? {}), public: true };
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list" } });
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}

/**
 * Every route the rate limiter counts may answer 429 (docs/RATE_LIMITS.md). Added to the document
 * only: the error handler renders the body, so the routes' own response schemas stay as declared.
 */
function withRateLimitResponse(schema: FastifySchema): FastifySchema {
  const responses = (schema?.response ?? {}) as Record<string, unknown>;
  if (responses["429"]) return schema;
  return { ...schema, response: { ...responses, 429: RATE_LIMITED_RESPONSE } };
}

const RATE_LIMITED_RESPONSE = {
  description:
    "RATE_LIMITED: the caller's allowance (per API key, user or client address) is spent; retry after Retry-After seconds",
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "string", enum: ["RATE_LIMITED"] },
        message: { type: "string" },
        request_id: { type: "string" },
        details: {},
      },
      required: ["code", "message", "request_id"],
    },
  },
  required: ["error"],
  headers: {
    "retry-after": { description: "Seconds until one more request fits", schema: { type: "integer" } },
  },
} as const;
