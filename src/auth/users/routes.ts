import { ACTIONS } from "../../core/actions.js";
import type { Authorizer } from "../../core/authorizer.js";
import type { AppInstance } from "../../platform/feature.js";
import { callerOf } from "../../platform/http/caller.js";
import { CreateUserBody, ErrorResponse, IdParams, ListUsersQuery, page, UpdateUserBody, User } from "../schemas.js";
import type { UsersService } from "./service.js";

const TAGS = ["users"];
const ERRORS = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse };

/** `/api/v1/users`: user administration (admins: user:read / user:write). */
export function usersRoutes(users: UsersService, authorizer: Authorizer) {
  return (app: AppInstance) => {
    app.post(
      "/api/v1/users",
      {
        schema: {
          tags: TAGS,
          summary: "Create a local user",
          body: CreateUserBody,
          response: { 201: User, ...ERRORS, 409: ErrorResponse },
        },
      },
      async (request, reply) => {
        await authorizer.require(callerOf(request), ACTIONS.userWrite);
        return reply.status(201).send(await users.create(request.body, callerOf(request)));
      },
    );

    app.get(
      "/api/v1/users",
      {
        schema: {
          tags: TAGS,
          summary: "List users",
          querystring: ListUsersQuery,
          response: { 200: page(User), ...ERRORS },
        },
      },
      async (request) => {
        await authorizer.require(callerOf(request), ACTIONS.userRead);
        return users.list(request.query);
      },
    );

    app.get(
      "/api/v1/users/:id",
      {
        schema: {
          tags: TAGS,
          summary: "Get a user",
          params: IdParams,
          response: { 200: User, ...ERRORS, 404: ErrorResponse },
        },
      },
      async (request) => {
        await authorizer.require(callerOf(request), ACTIONS.userRead);
        return users.get(request.params.id);
      },
    );

    app.patch(
      "/api/v1/users/:id",
      {
        schema: {
          tags: TAGS,
          summary: "Update a user (roles, teams, activation, password); ends their sessions when access changes",
          params: IdParams,
          body: UpdateUserBody,
          response: { 200: User, ...ERRORS, 404: ErrorResponse, 409: ErrorResponse },
        },
      },
      async (request) => {
        await authorizer.require(callerOf(request), ACTIONS.userWrite);
        return users.update(request.params.id, request.body, callerOf(request));
      },
    );

    app.post(
      "/api/v1/users/:id/unlock",
      {
        schema: {
          tags: TAGS,
          summary: "Lift a failed-login lockout: the username-wide lock and every per-address backoff",
          params: IdParams,
          response: { 200: User, ...ERRORS, 404: ErrorResponse },
        },
      },
      async (request) => {
        await authorizer.require(callerOf(request), ACTIONS.userWrite);
        return users.unlock(request.params.id, callerOf(request));
      },
    );

    app.delete(
      "/api/v1/users/:id",
      { schema: { tags: TAGS, summary: "Delete a user and their API keys", params: IdParams } },
      async (request, reply) => {
        await authorizer.require(callerOf(request), ACTIONS.userWrite);
        await users.remove(request.params.id, callerOf(request));
        return reply.status(204).send();
      },
    );
  };
}
