import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
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
  });
  // swagger-ui registers its own routes (hook first, so it sees them); mark them public.
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/docs")) route.config = { ...(route.config ?? {}), public: true };
  });
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { docExpansion: "list" } });
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
