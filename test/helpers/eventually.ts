/**
 * Retries `check` until it stops throwing, every `intervalMs` for up to 100 attempts, then rethrows
 * its last failure. For state that other replicas reach "within seconds", not at once.
 */
export async function eventually(check: () => Promise<void>, intervalMs = 100): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return await check();
    } catch (e) {
      if (i >= 100) throw e;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
