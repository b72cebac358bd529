import type { AppInstance } from "../../platform/feature.js";
import { callerOf, requestFactsOf } from "../../platform/http/caller.js";
import { noStore } from "../route-helpers.js";
import {
  ErrorResponse,
  LoginBody,
  LoginRateLimitedResponse,
  LogoutBody,
  MeResponse,
  RefreshBody,
  SessionResponse,
} from "../schemas.js";
import type { SessionService } from "./sessions.js";

const TAGS = ["auth"];
const SESSION_ROUTE = { public: true, allowInReadOnly: true } as const;

/** `/api/v1/auth/*`: login, refresh (rotating), logout, and who-am-I. */
export function authRoutes(sessions: SessionService) {
  return (app: AppInstance) => {
    app.post(
      "/api/v1/auth/login",
      {
        config: SESSION_ROUTE,
        schema: {
          tags: TAGS,
          summary: "Log in with username and password (429 with Retry-After after repeated failures)",
          security: [],
          body: LoginBody,
          response: { 200: SessionResponse, 401: ErrorResponse, 429: LoginRateLimitedResponse },
        },
      },
      async (request, reply) => {
        noStore(reply);
        return sessions.login(request.body.username, request.body.password, requestFactsOf(request));
      },
    );

    app.post(
      "/api/v1/auth/refresh",
      {
        config: SESSION_ROUTE,
        schema: {
          tags: TAGS,
          summary: "Exchange a refresh token for new tokens (the old refresh token stops working)",
          security: [],
          body: RefreshBody,
          response: { 200: SessionResponse, 401: ErrorResponse },
        },
      },
      async (request, reply) => {
        noStore(reply);
        return sessions.refresh(request.body.refresh_token, requestFactsOf(request));
      },
    );

    app.post(
      "/api/v1/auth/logout",
      {
        config: { allowInReadOnly: true },
        // The body is optional; an absent one validates as `{}`.
        preValidation: async (request) => {
          request.body ??= {};
        },
        schema: {
          tags: TAGS,
          summary: "Revoke the current access token (and the refresh token's session, if given)",
          body: LogoutBody,
        },
      },
      async (request, reply) => {
        await sessions.logout(callerOf(request), request.body?.refresh_token);
        return reply.status(204).send();
      },
    );

    app.get(
      "/api/v1/auth/me",
      { schema: { tags: TAGS, summary: "The authenticated principal", response: { 200: MeResponse } } },
      // Answered from the verified credential: no database round trip per request.
      async (request) => {
        const { principal: p, auth } = callerOf(request);
        return {
          id: p.id,
          username: p.username,
          email: p.email,
          roles: [...p.roles],
          teams: [...p.teams],
          auth_method: auth.method,
          ...(auth.apiKeyId ? { api_key_id: auth.apiKeyId, scopes: [...(auth.scopes ?? [])] } : {}),
        };
      },
    );
  };
}
