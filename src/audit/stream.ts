import type { ServerResponse } from "node:http";
import type { Kysely } from "kysely";
import type { BaseTables } from "../platform/db/database.js";
import type { Logger } from "../platform/logger.js";
import { type AuditFilters, eventsAfterSeq, maxSeq } from "./repository.js";

export interface LiveStreamDeps {
  db: Kysely<BaseTables>;
  logger: Logger;
  /** Subscribes to "a batch was committed here" (the local writer) for low latency. */
  onCommitted(listener: () => void): () => void;
  /** Poll interval: picks up events committed by other replicas. */
  pollMs: number;
  heartbeatMs: number;
}

const PAGE = 500;

/**
 * Server-Sent Events of newly committed audit events. Each client follows `seq` (commit order, so
 * nothing committed late is skipped), woken by the local writer and by a poll for other replicas.
 * `Last-Event-ID` (the seq) resumes after a reconnect without gaps.
 */
export function createLiveStream(deps: LiveStreamDeps) {
  const closers = new Set<() => void>();

  async function open(res: ServerResponse, filters: AuditFilters, resumeAfter: number | undefined): Promise<void> {
    let cursor = resumeAfter ?? (await maxSeq(deps.db));
    let closed = false;
    let wake: (() => void) | undefined;
    // Set when a nudge arrives while a query runs, so that commit is not slept through.
    let pending = false;
    const nudge = () => {
      pending = true;
      wake?.();
    };
    const unsubscribe = deps.onCommitted(nudge);
    const poll = setInterval(nudge, deps.pollMs);
    const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), deps.heartbeatMs);
    const close = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(poll);
      clearInterval(heartbeat);
      closers.delete(close);
      nudge();
      res.end();
    };
    closers.add(close);
    res.on("close", close);
    res.write("retry: 3000\n\n");

    while (!closed) {
      pending = false;
      try {
        const upTo = await maxSeq(deps.db);
        const events = upTo > cursor ? await eventsAfterSeq(deps.db, filters, cursor, upTo, PAGE) : [];
        for (const e of events) {
          if (!res.write(`id: ${e.seq}\nevent: audit\ndata: ${JSON.stringify(e)}\n\n`)) await drained(res);
        }
        // A short page means everything up to `upTo` has been seen (filtered-out rows included).
        cursor = events.length === PAGE ? (events[events.length - 1]?.seq ?? upTo) : upTo;
        if (events.length === PAGE) continue;
      } catch (e) {
        deps.logger.warn({ err: e }, "audit stream query failed; retrying");
      }
      if (!closed && !pending) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      wake = undefined;
    }
  }

  return {
    open,
    /** Ends every open stream (server shutdown must not wait on long-lived connections). */
    closeAll(): void {
      for (const close of [...closers]) close();
    },
    get clients(): number {
      return closers.size;
    },
  };
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}
