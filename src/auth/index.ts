import type { FastifyRequest } from "fastify";
import type { AuditRecorder } from "../audit/types.js";
import type { Cache } from "../platform/cache.js";
import type { Clock } from "../platform/clock.js";
import type { Config } from "../platform/config.js";
import type { Database } from "../platform/db/database.js";
import { AppError } from "../platform/errors.js";
import type { Feature } from "../platform/feature.js";
import type { Logger } from "../platform/logger.js";
import type { Metrics } from "../platform/metrics.js";
import type { Authorizer } from "../policy/authorizer.js";
import type { Principal } from "./principal.js";

export interface AuthDeps {
  config: Config;
  /** The resolved HS256 secret (from config, or generated for development). */
  jwtSecret: string;
  database: Database;
  cache: Cache;
  audit: AuditRecorder;
  authorizer: Authorizer;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
}

export interface AuthModule {
  /** Resolves the request's principal from a Bearer JWT or X-API-Key; throws 401 otherwise. */
  authenticate(request: FastifyRequest): Promise<Principal>;
  /** First start: create the admin when no user exists. Returns the generated password, if any. */
  bootstrapAdmin(): Promise<{ created: boolean; username: string; generatedPassword?: string }>;
  createUser(input: { username: string; password: string; roles: string[]; email?: string }): Promise<{ id: string }>;
  feature: Feature;
}

export function createAuth(_deps: AuthDeps): AuthModule {
  return {
    authenticate: async () => {
      throw new AppError("UNAUTHENTICATED", "authentication required");
    },
    bootstrapAdmin: async () => ({ created: false, username: "admin" }),
    createUser: async () => {
      throw new Error("not implemented yet");
    },
    feature: { name: "auth" },
  };
}
