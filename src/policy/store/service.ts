import { createHash } from "node:crypto";
import type { Transaction } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { type AuditRecorder, auditActorOf } from "../../core/audit.js";
import type { Caller } from "../../core/caller.js";
import type { PolicyConfig } from "../../platform/config/policy.js";
import type { Database } from "../../platform/db/database.js";
import { AppError, conflict, notFound, validationFailed } from "../../platform/errors.js";
import { decodeIdCursor, encodeCursor, type Page } from "../../platform/http/pagination.js";
import { type PolicyDiagnostic, tryCompile } from "../compile.js";
import type { PolicyChecker } from "../worker/checker.js";
import * as repo from "./repository.js";
import type { PolicyTables, TestResult, TestStatus } from "./tables.js";

/**
 * Who changes the store, recorded as version author and in the audit trail: a caller, or
 * `undefined` for SARK itself (seeding the built-in policy).
 */
export type StoreAuthor = Caller | undefined;

/** The audit event fields naming a store change's author. */
export function authorFields(author: StoreAuthor) {
  return author
    ? { actor: auditActorOf(author), request_id: author.request.requestId }
    : { actor: { username: "system" } };
}

export interface PolicyStoreDeps {
  database: Database;
  audit: AuditRecorder;
  config: PolicyConfig;
  /** Compiles and tests uploads off the event loop (worker thread with a hard timeout). */
  checker: PolicyChecker;
  /** Called after every change that alters decisions, so this replica reloads at once. */
  onChange(): Promise<void>;
}

/** Names that would be shadowed by static routes under /api/v1/policies/. */
const RESERVED_NAMES = new Set(["data", "validate", "test", "evaluate"]);

export function sha256(content: string): string {
  return createHash("sha256").update(content).digest("hex");
}

/** The 400 for a module that does not compile: the first problem's line and column in the message. */
export function compileFailed(what: string, diagnostics: readonly PolicyDiagnostic[]): AppError {
  const first = diagnostics[0];
  const where = first ? ` (line ${first.line}, column ${first.col}: ${first.message})` : "";
  return new AppError("VALIDATION_FAILED", `${what} does not compile${where}`, {
    details: { diagnostics: diagnostics.map((d) => ({ line: d.line, col: d.col, message: d.message })) },
  });
}

/** Compiles one module alone and runs its tests (in the worker); throws 400 when it does not compile. */
export async function checkModule(
  checker: PolicyChecker,
  name: string,
  content: string,
): Promise<{ testStatus: TestStatus; tests: TestResult[]; packages: string[] }> {
  const outcome = await checker.check(name, content);
  if (!outcome.ok) throw compileFailed(`policy '${name}'`, outcome.diagnostics);
  const tests = outcome.tests;
  const testStatus: TestStatus = tests.length === 0 ? "none" : tests.every((t) => t.pass) ? "passed" : "failed";
  return { testStatus, tests, packages: outcome.packages };
}

export type PolicyStore = ReturnType<typeof createPolicyStore>;

/** Policies, their immutable versions, activation (and rollback) and policy data. */
export function createPolicyStore(deps: PolicyStoreDeps) {
  const { database, audit, config, checker } = deps;
  const db = repo.policyDb(database);

  async function requirePolicy(ref: string, tx: repo.Executor = db, forUpdate = false): Promise<repo.PolicyRow> {
    const p = await repo.findPolicy(tx, ref, forUpdate);
    if (!p) throw notFound("policy", ref);
    return p;
  }

  /** Records the change inside its transaction (the audit outbox): both commit or neither. */
  function record(
    tx: Transaction<PolicyTables>,
    author: StoreAuthor,
    eventType: string,
    p: { id: string; name: string },
    details: Record<string, unknown>,
    severity: "medium" | "high" = "medium",
  ) {
    return audit.recordInTransaction(tx, {
      event_type: eventType,
      severity,
      outcome: "success",
      ...authorFields(author),
      action: "policy:write",
      resource: { type: "policy", id: p.id, name: p.name },
      details,
    });
  }

  /** Compiles the active set as it would be with `policyId` at `content` (or without it): must define the package. */
  async function checkActiveSet(
    tx: repo.Executor,
    policyId: string,
    replacement: { name: string; content: string } | undefined,
    what: string,
  ) {
    const modules = (await repo.activeModules(tx)).filter((m) => m.policy_id !== policyId);
    const sources = modules.map((m) => ({ path: `${m.name}.rego`, source: m.content }));
    if (replacement) sources.push({ path: `${replacement.name}.rego`, source: replacement.content });
    const outcome = tryCompile(sources);
    if (!outcome.ok) {
      throw new AppError("UNPROCESSABLE", `${what}: the active policies would not compile together`, {
        details: { diagnostics: outcome.diagnostics },
      });
    }
    if (!outcome.packages.includes(config.package)) {
      throw new AppError(
        "UNPROCESSABLE",
        `${what}: no active policy would define package ${config.package}, which governs SARK's API`,
      );
    }
  }

  async function addVersion(
    tx: repo.Executor,
    p: { id: string; name: string },
    version: number,
    content: string,
    checked: Awaited<ReturnType<typeof checkModule>>,
    author: StoreAuthor,
  ) {
    await repo.insertVersion(tx, {
      policy_id: p.id,
      version,
      content,
      sha256: sha256(content),
      author_id: author?.principal.id ?? null,
      author: author?.principal.username ?? "system",
      compile_status: "ok",
      compile_errors: [],
      test_status: checked.testStatus,
      test_results: checked.tests,
    });
  }

  async function activate(ref: string, version: number, author: StoreAuthor) {
    const p = await requirePolicy(ref);
    const v = await repo.getVersion(db, p.id, version);
    if (!v) throw notFound("policy version", `${p.name}@v${version}`);
    if (v.compile_status !== "ok")
      throw new AppError("UNPROCESSABLE", `${p.name}@v${version} does not compile; it cannot be activated`);
    if (v.test_status === "failed")
      throw new AppError("UNPROCESSABLE", `${p.name}@v${version} fails its own tests; it cannot be activated`);
    // The state row lock serialises activations: the set checked is the set that goes live,
    // even when two policies are activated at once (the compile is CPU only, no waits).
    const revision = await db.transaction().execute(async (tx) => {
      await repo.lockState(tx);
      await checkActiveSet(tx, p.id, { name: p.name, content: v.content }, `activating ${p.name}@v${version}`);
      await repo.setActiveVersion(tx, p.id, version);
      const bumped = await repo.bumpRevision(tx);
      const details = { version, previous_version: p.active_version, sha256: v.sha256, revision: bumped };
      await record(tx, author, "policy.activated", p, details, "high");
      return bumped;
    });
    await deps.onChange();
    return { ...(await requirePolicy(p.id)), revision };
  }

  return {
    async list(cursor: string | undefined, limit: number): Promise<Page<repo.PolicyRow>> {
      const after = decodeIdCursor(cursor);
      const rows = await repo.listPolicies(db, after, limit + 1);
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const hasMore = rows.length > limit;
      return { items, has_more: hasMore, next_cursor: hasMore && last ? encodeCursor({ id: last.id }) : null };
    },

    async get(ref: string) {
      const p = await requirePolicy(ref);
      return { ...p, versions: await repo.listVersions(db, p.id) };
    },

    async create(
      input: { name: string; content: string; description?: string; activate?: boolean },
      author: StoreAuthor,
    ) {
      if (RESERVED_NAMES.has(input.name.toLowerCase())) {
        throw validationFailed(`'${input.name}' is reserved (it is a path under /api/v1/policies)`, [
          { path: "/name", message: "reserved name" },
        ]);
      }
      if (await repo.findPolicy(db, input.name)) throw conflict(`a policy named '${input.name}' already exists`);
      const p = { id: uuidv7(), name: input.name };
      const checked = await checkModule(checker, p.name, input.content);
      await db
        .transaction()
        .execute(async (tx) => {
          await repo.insertPolicy(tx, {
            ...p,
            description: input.description ?? "",
            created_by: author?.principal.id ?? null,
          });
          await addVersion(tx, p, 1, input.content, checked, author);
          await record(tx, author, "policy.created", p, {
            version: 1,
            sha256: sha256(input.content),
            test_status: checked.testStatus,
          });
        })
        .catch((e: unknown) => {
          if (isUniqueViolation(e)) throw conflict(`a policy named '${input.name}' already exists`);
          throw e;
        });
      if (input.activate) return activate(p.id, 1, author);
      return requirePolicy(p.id);
    },

    async update(
      ref: string,
      input: { content: string; description?: string; activate?: boolean },
      author: StoreAuthor,
    ) {
      const p = await requirePolicy(ref);
      // Compile and test before the transaction: no CPU-heavy work while holding the row lock.
      const checked = await checkModule(checker, p.name, input.content);
      const version = await db.transaction().execute(async (tx) => {
        const locked = await requirePolicy(p.id, tx, true);
        const next = locked.latest_version + 1;
        await addVersion(tx, p, next, input.content, checked, author);
        if (input.description !== undefined) {
          await tx.updateTable("policies").set({ description: input.description }).where("id", "=", p.id).execute();
        }
        await record(tx, author, "policy.version_created", p, { version: next, sha256: sha256(input.content) });
        return next;
      });
      if (input.activate) return activate(p.id, version, author);
      return requirePolicy(p.id);
    },

    activate,

    async remove(ref: string, author: StoreAuthor) {
      const p = await requirePolicy(ref);
      if (p.name.toLowerCase() === config.package.toLowerCase()) {
        throw conflict(
          `policy '${p.name}' governs SARK's API (POLICY_PACKAGE); activate another version instead of deleting it`,
        );
      }
      await db.transaction().execute(async (tx) => {
        if (p.active_version !== null) {
          await repo.lockState(tx);
          await checkActiveSet(tx, p.id, undefined, `deleting ${p.name}`);
        }
        await repo.deletePolicy(tx, p.id);
        if (p.active_version !== null) await repo.bumpRevision(tx);
        const details = { active_version: p.active_version, versions: p.latest_version };
        await record(tx, author, "policy.deleted", p, details, "high");
      });
      if (p.active_version !== null) await deps.onChange();
    },

    async validate(content: string) {
      const outcome = await checker.validate(content);
      if (!outcome.ok) return { valid: false, diagnostics: outcome.diagnostics, packages: [], tests: [] as string[] };
      return { valid: true, diagnostics: [], packages: outcome.packages, tests: outcome.tests };
    },

    async test(content: string, name = "policy") {
      const outcome = await checker.check(name, content);
      if (!outcome.ok) throw compileFailed(`policy '${name}'`, outcome.diagnostics);
      const results = outcome.tests;
      return { passed: results.filter((r) => r.pass).length, failed: results.filter((r) => !r.pass).length, results };
    },

    /** Seeds the shipped default policy as version 1 (active) on an empty store; idempotent across replicas. */
    async seed(name: string, content: string, tests: TestResult[]) {
      if (await repo.findPolicy(db, name)) return false;
      const p = { id: uuidv7(), name };
      const testStatus: TestStatus = tests.length === 0 ? "none" : tests.every((t) => t.pass) ? "passed" : "failed";
      try {
        await db.transaction().execute(async (tx) => {
          await repo.insertPolicy(tx, { ...p, description: "SARK default authorization policy", created_by: null });
          await repo.insertVersion(tx, {
            policy_id: p.id,
            version: 1,
            content,
            sha256: sha256(content),
            author_id: null,
            author: "system",
            compile_status: "ok",
            compile_errors: [],
            test_status: testStatus,
            test_results: tests,
          });
          await repo.setActiveVersion(tx, p.id, 1);
          await repo.bumpRevision(tx);
          await record(tx, undefined, "policy.created", p, { version: 1, seeded: true, sha256: sha256(content) });
        });
      } catch (e) {
        if (isUniqueViolation(e)) return false; // another replica seeded first
        throw e;
      }
      return true;
    },
  };
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "23505";
}
