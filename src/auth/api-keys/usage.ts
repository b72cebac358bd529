import type { Logger } from "../../platform/logger.js";
import type { AuthDb } from "../users/repository.js";
import { addApiKeyUsage } from "./repository.js";

interface Pending {
  count: number;
  lastUsedAt: number;
}

export interface ApiKeyUsage {
  /** Counts one use in memory (no database write on the request path). */
  record(id: string, atMs: number): void;
  /** Uses counted but not yet written, so reads can show up-to-date numbers. */
  pending(id: string): Pending | undefined;
  /** Writes the counters; on failure they are kept for the next flush. */
  flush(): Promise<void>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

export function createApiKeyUsage(deps: { db: AuthDb; logger: Logger }): ApiKeyUsage {
  let counters = new Map<string, Pending>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;

  function merge(id: string, p: Pending): void {
    const cur = counters.get(id);
    counters.set(id, cur ? { count: cur.count + p.count, lastUsedAt: Math.max(cur.lastUsedAt, p.lastUsedAt) } : p);
  }

  async function write(): Promise<void> {
    const batch = counters;
    counters = new Map();
    for (const [id, p] of batch) {
      try {
        await addApiKeyUsage(deps.db, id, p.count, new Date(p.lastUsedAt));
      } catch (e) {
        deps.logger.warn({ err: e, api_key_id: id }, "api key usage flush failed; will retry");
        merge(id, p);
      }
    }
  }

  function flush(): Promise<void> {
    flushing ??= write().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  return {
    record: (id, atMs) => merge(id, { count: 1, lastUsedAt: atMs }),
    pending: (id) => counters.get(id),
    flush,
    start(intervalMs) {
      timer ??= setInterval(() => void flush(), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flushing;
      await flush();
    },
  };
}
