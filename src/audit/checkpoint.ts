import { sql } from "kysely";
import type { AuditRecorder } from "../core/audit.js";
import { type Clock, isoTime } from "../platform/clock.js";
import type { Database } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { type Checkpoint, checkpointHmac } from "./anchors.js";

export interface CheckpointDeps {
  database: Database;
  logger: Logger;
  clock: Clock;
  audit: Pick<AuditRecorder, "recordInTransaction">;
  /** AUDIT_CHECKPOINT_KEY (or the development key derived from the JWT secret). */
  checkpointKey: string;
  intervalMs: number;
}

export const CHECKPOINT_EVENT = "audit.checkpoint";

/**
 * Signs the current chain head (seq, hash, time) into `audit_checkpoints` and, in the same
 * transaction, records it as an `audit.checkpoint` event: the event goes into the chain and to
 * the SIEM, a copy outside the database. Does nothing when no event was written since the last
 * checkpoint (the head is a checkpoint event or already checkpointed), so an idle system stays idle.
 */
export async function writeCheckpoint(deps: CheckpointDeps): Promise<(Checkpoint & { hmac: string }) | undefined> {
  return deps.database.db.transaction().execute(async (tx) => {
    const head = (
      await sql<{ seq: string; hash: string; event_type: string }>`
        select seq, hash, event_type from audit_events order by seq desc limit 1`.execute(tx)
    ).rows[0];
    if (!head || head.event_type === CHECKPOINT_EVENT) return undefined;
    const last = (await sql<{ seq: string | null }>`select max(seq) as seq from audit_checkpoints`.execute(tx)).rows[0];
    if (last?.seq != null && BigInt(last.seq) >= BigInt(head.seq)) return undefined;
    const checkpoint: Checkpoint = { seq: Number(head.seq), hash: head.hash, created_at: isoTime(deps.clock.now()) };
    const hmac = checkpointHmac(deps.checkpointKey, checkpoint);
    await sql`insert into audit_checkpoints (seq, hash, created_at, hmac)
      values (${checkpoint.seq}, ${checkpoint.hash}, ${checkpoint.created_at}::timestamptz, ${hmac})`.execute(tx);
    await deps.audit.recordInTransaction(tx, {
      event_type: CHECKPOINT_EVENT,
      severity: "low",
      outcome: "success",
      actor: { username: "system" },
      action: "audit:checkpoint",
      resource: { type: "audit_events" },
      details: { seq: checkpoint.seq, hash: checkpoint.hash, checkpoint_at: checkpoint.created_at, hmac },
    });
    return { ...checkpoint, hmac };
  });
}

/**
 * Checkpoints every `intervalMs` on every replica (a duplicate checkpoint is harmless; each one
 * only needs a row the chain already has). Each checkpoint is also logged, a third copy.
 */
export function createCheckpointJob(deps: CheckpointDeps) {
  let timer: NodeJS.Timeout | undefined;
  let lastError: string | undefined;

  async function run(): Promise<void> {
    try {
      const checkpoint = await writeCheckpoint(deps);
      lastError = undefined;
      if (checkpoint) deps.logger.info({ audit_checkpoint: checkpoint }, "audit checkpoint");
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
      deps.logger.error({ err: e }, "audit checkpoint failed; retrying at the next interval");
    }
  }

  return {
    start(): void {
      timer = setInterval(() => void run(), deps.intervalMs);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
    },
    status: () => ({ checkpoint_error: lastError ?? null }),
  };
}
