import type pg from "pg";

/** A held lock; `release` is idempotent. */
export interface HeldLock {
  release(): Promise<void>;
  /** False once the lock was lost (its connection died); the holder must stop working. */
  isHeld(): boolean;
}

/**
 * Cluster-wide mutual exclusion for singleton jobs (SIEM forwarding, partition maintenance).
 * PostgreSQL advisory locks across replicas; an in-process map for the embedded database,
 * which only one process can open anyway.
 */
export interface AdvisoryLocks {
  /** Takes the named lock without waiting; `undefined` when another holder has it. */
  tryAcquire(name: string): Promise<HeldLock | undefined>;
}

export function createMemoryLocks(): AdvisoryLocks {
  const held = new Set<string>();
  return {
    async tryAcquire(name) {
      if (held.has(name)) return undefined;
      held.add(name);
      let live = true;
      return {
        isHeld: () => live,
        async release() {
          if (live) held.delete(name);
          live = false;
        },
      };
    },
  };
}

/**
 * Session advisory locks live as long as the connection, so each held lock keeps a dedicated
 * client out of the pool until released. The key is namespaced by schema so isolated test
 * schemas (and several SARK installs sharing one server) never contend.
 */
export function createPostgresLocks(pool: pg.Pool, namespace: string): AdvisoryLocks {
  return {
    async tryAcquire(name) {
      const client = await pool.connect();
      let live = false;
      try {
        const res = await client.query<{ ok: boolean }>("select pg_try_advisory_lock(hashtext($1)) as ok", [
          `${namespace}:${name}`,
        ]);
        live = res.rows[0]?.ok === true;
      } catch (e) {
        client.release(true);
        throw e;
      }
      if (!live) {
        client.release();
        return undefined;
      }
      // A dead session loses its locks with it; the holder learns through isHeld(), and release()
      // still hands the broken client back exactly once so pool shutdown does not wait for it.
      let returned = false;
      client.on("error", () => {
        live = false;
      });
      return {
        isHeld: () => live,
        async release() {
          if (live) {
            live = false;
            // Dropping the connection releases every session lock it held, even if unlock fails.
            await client.query("select pg_advisory_unlock(hashtext($1))", [`${namespace}:${name}`]).catch(() => {});
          }
          if (!returned) {
            returned = true;
            client.release(true);
          }
        },
      };
    },
  };
}
