import type { FastifyRequest } from "fastify";
import { Type } from "typebox";
import { ACTIONS } from "../core/actions.js";
import type { Authorizer } from "../core/authorizer.js";
import { validationFailed } from "../platform/errors.js";
import type { AppInstance } from "../platform/feature.js";
import { callerOf } from "../platform/http/caller.js";
import type { createEvaluateService } from "./evaluate.js";
import {
  ActivateBody,
  ContentBody,
  CreatePolicyBody,
  DataEntrySchema,
  DataParams,
  EvaluateBody,
  EvaluateResponse,
  ListQuery,
  POLICY_LIMITS,
  PolicyDetailSchema,
  PolicyPageSchema,
  PolicyRefParams,
  PolicySchema,
  TestResponse,
  UpdatePolicyBody,
  ValidateResponse,
} from "./schemas.js";
import { parseDataPath } from "./store/data-document.js";
import type { PolicyDataStore } from "./store/data-service.js";
import type { PolicyRow, VersionRow } from "./store/repository.js";
import type { PolicyStore } from "./store/service.js";

const tags = ["policies"];

export interface PolicyRouteDeps {
  store: PolicyStore;
  data: PolicyDataStore;
  evaluator: ReturnType<typeof createEvaluateService>;
  authorizer: Authorizer;
  /** The package that governs SARK's API (config.policy.package). */
  governingPackage: string;
}

/**
 * Validate, test and evaluate only compute an answer (evaluate records its decision in the audit
 * trail, which read-only mode never stops); they change no policy, data or registry state, so
 * they keep working in read-only mode, like every decision SARK makes on live traffic.
 */
const COMPUTES_ONLY = { allowInReadOnly: true } as const;

/** `/api/v1/policies/*`: the policy store, policy data, validation, tests and the evaluate API. */
export function policyRoutes(deps: PolicyRouteDeps) {
  const { store, authorizer } = deps;
  const may = async (request: FastifyRequest, action: string) => {
    const caller = callerOf(request);
    await authorizer.require(caller, action);
    return caller;
  };
  const toPolicy = (p: PolicyRow) => ({
    ...p,
    governs_api: p.name.toLowerCase() === deps.governingPackage.toLowerCase(),
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
  });
  const toVersion = (active: number | null) => (v: VersionRow) => ({
    ...v,
    active: v.version === active,
    created_at: new Date(v.created_at).toISOString(),
  });
  const dataPath = (raw: string) => {
    const parsed = parseDataPath(raw);
    if (!parsed.ok) throw validationFailed(parsed.message);
    return parsed.path;
  };

  return (app: AppInstance) => {
    app.get(
      "/api/v1/policies",
      { schema: { tags, querystring: ListQuery, response: { 200: PolicyPageSchema } } },
      async (request) => {
        await may(request, ACTIONS.policyRead);
        const page = await store.list(request.query.cursor, request.query.limit ?? POLICY_LIMITS.pageDefault);
        return { ...page, items: page.items.map(toPolicy) };
      },
    );
    app.post(
      "/api/v1/policies",
      { schema: { tags, body: CreatePolicyBody, response: { 201: PolicySchema } } },
      async (request, reply) => {
        const c = await may(request, ACTIONS.policyWrite);
        return reply.status(201).send(toPolicy(await store.create(request.body, c)));
      },
    );
    app.post(
      "/api/v1/policies/validate",
      { config: COMPUTES_ONLY, schema: { tags, body: ContentBody, response: { 200: ValidateResponse } } },
      async (request) => {
        await may(request, ACTIONS.policyWrite);
        return store.validate(request.body.content);
      },
    );
    app.post(
      "/api/v1/policies/test",
      { config: COMPUTES_ONLY, schema: { tags, body: ContentBody, response: { 200: TestResponse } } },
      async (request) => {
        await may(request, ACTIONS.policyWrite);
        return store.test(request.body.content);
      },
    );
    app.post(
      "/api/v1/policies/evaluate",
      { config: COMPUTES_ONLY, schema: { tags, body: EvaluateBody, response: { 200: EvaluateResponse } } },
      async (request) => deps.evaluator.evaluate(callerOf(request), request.body),
    );
    app.get(
      "/api/v1/policies/data",
      { schema: { tags, response: { 200: Type.Object({ items: Type.Array(DataEntrySchema) }) } } },
      async (request) => {
        await may(request, ACTIONS.policyRead);
        return { items: (await deps.data.listData()).map((d) => ({ path: d.path, value: d.value })) };
      },
    );
    app.put(
      "/api/v1/policies/data/*",
      { schema: { tags, params: DataParams, body: Type.Unknown(), response: { 200: DataEntrySchema } } },
      async (request) => {
        const c = await may(request, ACTIONS.policyWrite);
        if (request.body === undefined || request.body === null)
          throw validationFailed("the body must be the JSON document to store");
        return deps.data.putData(dataPath(request.params["*"]), request.body, c);
      },
    );
    app.delete("/api/v1/policies/data/*", { schema: { tags, params: DataParams } }, async (request, reply) => {
      const c = await may(request, ACTIONS.policyWrite);
      await deps.data.deleteData(dataPath(request.params["*"]), c);
      return reply.status(204).send();
    });
    app.get(
      "/api/v1/policies/:id",
      { schema: { tags, params: PolicyRefParams, response: { 200: PolicyDetailSchema } } },
      async (request) => {
        await may(request, ACTIONS.policyRead);
        const p = await store.get(request.params.id);
        return { ...toPolicy(p), versions: p.versions.map(toVersion(p.active_version)) };
      },
    );
    app.put(
      "/api/v1/policies/:id",
      { schema: { tags, params: PolicyRefParams, body: UpdatePolicyBody, response: { 200: PolicySchema } } },
      async (request) => {
        const c = await may(request, ACTIONS.policyWrite);
        return toPolicy(await store.update(request.params.id, request.body, c));
      },
    );
    app.post(
      "/api/v1/policies/:id/activate",
      { schema: { tags, params: PolicyRefParams, body: ActivateBody, response: { 200: PolicySchema } } },
      async (request) => {
        const c = await may(request, ACTIONS.policyWrite);
        return toPolicy(await store.activate(request.params.id, request.body.version, c));
      },
    );
    app.delete("/api/v1/policies/:id", { schema: { tags, params: PolicyRefParams } }, async (request, reply) => {
      const c = await may(request, ACTIONS.policyWrite);
      await store.remove(request.params.id, c);
      return reply.status(204).send();
    });
  };
}
