import cors from "@fastify/cors";
import type { AppInstance } from "../feature.js";

/** What a browser origin in CORS_ORIGINS may send: every method the API serves, and its auth headers. */
const CORS_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];
const CORS_ALLOWED_HEADERS = ["authorization", "x-api-key", "content-type", "x-request-id"];
const CORS_EXPOSED_HEADERS = [
  "x-request-id",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "retry-after",
];

/**
 * CORS for the origins in CORS_ORIGINS (none: no CORS headers at all). Registered before the request
 * pipeline: its own onRequest hook answers preflights before authentication runs. Credentials are
 * allowed only for an explicit origin list, never with `*`.
 */
export async function registerCors(app: AppInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  await app.register(cors, {
    origin: origins.includes("*") ? true : [...origins],
    credentials: !origins.includes("*"),
    methods: CORS_METHODS,
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
  });
}
