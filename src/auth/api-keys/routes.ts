import type { AppInstance } from "../../platform/feature.js";
import { callerOf } from "../../platform/http/caller.js";
import { noStore } from "../route-helpers.js";
import {
  ApiKey,
  ApiKeyWithSecret,
  CreateApiKeyBody,
  ErrorResponse,
  KeyIdParams,
  ListApiKeysQuery,
  page,
} from "../schemas.js";
import type { ApiKeysService } from "./service.js";

const TAGS = ["api-keys"];
const ERRORS = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse };

/**
 * `/api/v1/api-keys`: users manage their own keys (apikey:manage), admins everyone's
 * (apikey:manage:all). The service decides ownership, so another user's key is a 404.
 */
export function apiKeysRoutes(keys: ApiKeysService) {
  return (app: AppInstance) => {
    app.post(
      "/api/v1/api-keys",
      {
        schema: {
          tags: TAGS,
          summary: "Create an API key; the response is the only time the full key is shown",
          body: CreateApiKeyBody,
          response: { 201: ApiKeyWithSecret, ...ERRORS },
        },
      },
      async (request, reply) =>
        noStore(reply)
          .status(201)
          .send(await keys.create(callerOf(request), request.body)),
    );

    app.get(
      "/api/v1/api-keys",
      {
        schema: {
          tags: TAGS,
          summary: "List API keys (own by default; admins: user_id or all=true)",
          querystring: ListApiKeysQuery,
          response: { 200: page(ApiKey), ...ERRORS },
        },
      },
      async (request) => keys.list(callerOf(request), request.query),
    );

    app.get(
      "/api/v1/api-keys/:id",
      { schema: { tags: TAGS, summary: "Get an API key", params: KeyIdParams, response: { 200: ApiKey, ...ERRORS } } },
      async (request) => keys.get(callerOf(request), request.params.id),
    );

    app.post(
      "/api/v1/api-keys/:id/rotate",
      {
        schema: {
          tags: TAGS,
          summary: "Replace the key's secret; the old key stops working immediately",
          params: KeyIdParams,
          response: { 200: ApiKeyWithSecret, ...ERRORS, 409: ErrorResponse },
        },
      },
      async (request, reply) => {
        noStore(reply);
        return keys.rotate(callerOf(request), request.params.id);
      },
    );

    app.delete(
      "/api/v1/api-keys/:id",
      { schema: { tags: TAGS, summary: "Revoke an API key", params: KeyIdParams } },
      async (request, reply) => {
        await keys.revoke(callerOf(request), request.params.id);
        return reply.status(204).send();
      },
    );
  };
}
