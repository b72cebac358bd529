import { sql } from "kysely";
import { LRUCache } from "lru-cache";
import type { Logger } from "../platform/logger.js";
import { findServerWithTools, type RegistryDb, type ServerRow, type ToolRow } from "./repository.js";

export interface ServerWithTools {
  readonly row: ServerRow;
  readonly tools: readonly ToolRow[];
}

export interface ServerCache {
  /** The server and its tools, from this replica's cache when it is current, else the database. */
  get(id: string): Promise<ServerWithTools | undefined>;
  /** This replica changed the registry: forget everything, so its next read sees the change. */
  invalidate(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Entry {
  found: ServerWithTools;
  /** The cache generation the read started in; an entry from an older generation is stale. */
  generation: number;
}

const MAX_ENTRIES = 10_000;

/**
 * Registry reads cached per replica, the way gateways cache their routing entities: the hot path
 * (`GET /servers/{id}`, and every gateway call that resolves a server) costs no database round
 * trip. Correctness rests on `registry_state.revision`, which database triggers advance in the
 * same transaction as any change to servers or tools (migration 0006):
 * - this replica's own writes call `invalidate()` before their response is sent (read-your-writes);
 * - other replicas' writes are seen by polling the revision every `refreshMs`, so a change made
 *   elsewhere is visible here within about one interval.
 * Each entry remembers the generation its read started in; any invalidation starts a new
 * generation, so a read that raced a change can never repopulate the cache with the old row.
 * `refreshMs = 0` turns caching off (every read goes to the database).
 */
export function createServerCache(deps: { db: RegistryDb; refreshMs: number; logger: Logger }): ServerCache {
  const { db, refreshMs, logger } = deps;
  const entries = new LRUCache<string, Entry>({ max: MAX_ENTRIES });
  let generation = 0;
  let revision: string | undefined;
  // False until the first poll succeeds and after any poll fails: then nothing is served from memory.
  let trusted = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  function invalidate(): void {
    generation++;
    entries.clear();
  }

  async function readRevision(): Promise<string> {
    const { rows } = await sql<{ revision: string }>`select revision::text as revision from registry_state`.execute(db);
    return rows[0]?.revision ?? "0";
  }

  async function poll(): Promise<void> {
    const current = await readRevision();
    if (current !== revision) {
      revision = current;
      invalidate();
    }
    trusted = true;
  }

  return {
    async get(id) {
      if (!trusted) return findServerWithTools(db, id);
      const hit = entries.get(id);
      if (hit && hit.generation === generation) return hit.found;
      const startedIn = generation;
      const found = await findServerWithTools(db, id);
      // Misses are not cached: a server registered on another replica must be found at once.
      if (found && startedIn === generation) entries.set(id, { found, generation: startedIn });
      return found;
    },
    invalidate,
    async start() {
      if (refreshMs === 0) return;
      await poll();
      timer = setInterval(() => {
        if (polling) return;
        polling = poll()
          .catch((e: unknown) => {
            // Unknown whether the registry changed: serve nothing from the cache until a poll works.
            trusted = false;
            invalidate();
            logger.warn({ err: e }, "registry revision poll failed; registry reads go to the database");
          })
          .finally(() => {
            polling = undefined;
          });
      }, refreshMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await polling;
    },
  };
}
