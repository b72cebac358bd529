import type { Transaction } from "kysely";
import type { AuditRecorder } from "../../core/audit.js";
import type { Database } from "../../platform/db/database.js";
import { conflict, notFound, validationFailed } from "../../platform/errors.js";
import { BUILTIN_DATA_PATH } from "./builtin-data.js";
import { pathsOverlap } from "./data-document.js";
import * as repo from "./repository.js";
import { authorFields, type StoreAuthor } from "./service.js";
import type { PolicyTables } from "./tables.js";

export type PolicyDataStore = ReturnType<typeof createPolicyDataStore>;

/**
 * Policy data (`data.<path>`): seed documents policies read, such as business hours or team
 * membership. Every change bumps the store revision, so decisions (and cached ones) follow it.
 */
export function createPolicyDataStore(deps: { database: Database; audit: AuditRecorder; onChange(): Promise<void> }) {
  const { audit } = deps;
  const db = repo.policyDb(deps.database);

  /** Records the change inside its transaction (the audit outbox): both commit or neither. */
  function recordData(
    tx: Transaction<PolicyTables>,
    author: StoreAuthor,
    eventType: string,
    path: string,
    revision: number,
  ) {
    return audit.recordInTransaction(tx, {
      event_type: eventType,
      severity: "high",
      outcome: "success",
      ...authorFields(author),
      action: "policy:write",
      resource: { type: "policy_data", id: path, name: `data.${path.replaceAll("/", ".")}` },
      details: { revision },
    });
  }

  return {
    listData: () => repo.listData(db),

    async putData(path: string, value: unknown, author: StoreAuthor) {
      if (path === BUILTIN_DATA_PATH || path.startsWith(`${BUILTIN_DATA_PATH}/`))
        throw validationFailed(`policy data path '${path}' is provided by SARK (data.sark.redaction); choose another`);
      const others = (await repo.listData(db)).filter((d) => d.path !== path && pathsOverlap(d.path, path));
      if (others.length > 0)
        throw conflict(`policy data path '${path}' overlaps '${others[0]?.path}'; delete that one first`);
      const revision = await db.transaction().execute(async (tx) => {
        await repo.putData(tx, path, value, author?.principal.id ?? null);
        const bumped = await repo.bumpRevision(tx);
        await recordData(tx, author, "policy.data_updated", path, bumped);
        return bumped;
      });
      await deps.onChange();
      return { path, value, revision };
    },

    async deleteData(path: string, author: StoreAuthor) {
      await db.transaction().execute(async (tx) => {
        if (!(await repo.deleteData(tx, path))) throw notFound("policy data", path);
        const revision = await repo.bumpRevision(tx);
        await recordData(tx, author, "policy.data_deleted", path, revision);
      });
      await deps.onChange();
    },
  };
}
