import type { Transaction } from "kysely";
import { type Caller, isCaller, type RequestFacts } from "./caller.js";
import type { Sensitivity } from "./sensitivity.js";

export type AuditOutcome = "success" | "failure" | "denied";

export interface AuditActor {
  user_id?: string | null;
  username?: string | null;
  auth_method?: string | null;
  api_key_id?: string | null;
  ip?: string | null;
  user_agent?: string | null;
}

export interface AuditDecision {
  allow: boolean;
  reason?: string;
  policy?: string;
  cached?: boolean;
  eval_us?: number;
}

/** What a feature hands to the audit recorder; id, timestamp and hash chain are added by it. */
export interface AuditEventInput {
  event_type: string;
  severity?: Sensitivity;
  outcome: AuditOutcome;
  actor?: AuditActor;
  action?: string;
  resource?: { type: string; id?: string | null; name?: string | null };
  decision?: AuditDecision;
  request_id?: string;
  /** Free-form context; secrets are redacted before storage. */
  details?: Record<string, unknown>;
}

/**
 * The audit seam every feature records through.
 *
 * - `record` is for high-volume events (decisions, tool calls, logins): it resolves once the event
 *   is buffered (it waits when the buffer is full: back-pressure, never a drop) and the writer
 *   persists in batches. A SIGKILL loses what is buffered (docs/AUDIT.md, "Writer semantics").
 * - `recordInTransaction` is for state changes: it writes the event into the outbox inside the
 *   caller's transaction, so the change and its event commit together or not at all; the writer
 *   moves outbox rows into the chain. Call it last in the transaction (it holds no lock).
 */
export interface AuditRecorder {
  record(event: AuditEventInput): Promise<void>;
  recordInTransaction<DB>(tx: Transaction<DB>, event: AuditEventInput): Promise<void>;
}

/**
 * The audit `actor` of whoever made a request: the caller's principal and credential, or only the
 * request facts of an anonymous one.
 */
export function auditActorOf(who: Caller | RequestFacts): AuditActor {
  if (!isCaller(who)) {
    return {
      api_key_id: null,
      auth_method: null,
      ip: who.ip,
      user_agent: who.userAgent,
      user_id: null,
      username: null,
    };
  }
  const { principal, auth, request } = who;
  return {
    user_id: principal.id,
    username: principal.username,
    auth_method: auth.method,
    api_key_id: auth.apiKeyId ?? null,
    ip: request.ip,
    user_agent: request.userAgent,
  };
}
