import { hostname } from "node:os";
import type { SiemConfig } from "../platform/config/siem.js";
import { createHttpPoster, gzip } from "./http-client.js";
import type { SendResult, SiemDestination, SiemEvent } from "./types.js";

type DatadogConfig = NonNullable<SiemConfig["datadog"]>;

/** Datadog Logs intake limits (uncompressed), taken as decimal bytes to stay on the safe side. */
export const DATADOG_LIMITS = { maxEntries: 1000, maxPayloadBytes: 5_000_000, maxEntryBytes: 1_000_000 } as const;

const STATUS_BY_SEVERITY: Record<string, string> = {
  low: "info",
  medium: "notice",
  high: "warn",
  critical: "error",
};

/**
 * One log entry per audit event. `message` is the event as JSON (Datadog parses JSON messages
 * into attributes, `id` included for de-dup). An event above the 1 MB entry limit keeps every
 * field but `details`, which is replaced by a marker: the id still arrives, nothing is skipped.
 */
export function datadogEntry(event: SiemEvent, base: Record<string, string>): string {
  const entry = (e: SiemEvent) =>
    JSON.stringify({ ...base, status: STATUS_BY_SEVERITY[e.severity] ?? "info", message: JSON.stringify(e) });
  const full = entry(event);
  const size = Buffer.byteLength(full);
  if (size <= DATADOG_LIMITS.maxEntryBytes) return full;
  const trimmed = entry({ ...event, details: { sark_truncated: true, original_entry_bytes: size } });
  if (Buffer.byteLength(trimmed) <= DATADOG_LIMITS.maxEntryBytes) return trimmed;
  // Only an absurd action/resource gets here: cut the message, whose JSON starts with the id.
  const message = JSON.stringify({ ...event, details: {} }).slice(0, DATADOG_LIMITS.maxEntryBytes / 2);
  return JSON.stringify({ ...base, status: "info", message, sark_truncated: true });
}

/** Splits serialized entries into request bodies within the entry-count and payload-size limits. */
export function chunkEntries(entries: readonly string[]): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let bytes = 2; // the enclosing brackets
  for (const entry of entries) {
    const size = Buffer.byteLength(entry) + 1; // plus the separating comma
    if (
      current.length > 0 &&
      (current.length >= DATADOG_LIMITS.maxEntries || bytes + size > DATADOG_LIMITS.maxPayloadBytes)
    ) {
      chunks.push(current);
      current = [];
      bytes = 2;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Datadog Logs: `POST /api/v2/logs` (DATADOG_LOGS_URL or the site's intake), `DD-API-KEY`, a gzip
 * JSON array of `{ddsource, ddtags, hostname, service, status, message}`, split to the intake
 * limits. Chunks go in order; a failed chunk fails the batch, which is then resent whole.
 */
export function createDatadogDestination(config: DatadogConfig): SiemDestination {
  const poster = createHttpPoster({ url: config.url });
  const base = { ddsource: "sark", ddtags: config.tags, hostname: hostname(), service: config.service };
  const headers = { "dd-api-key": config.apiKey, "content-type": "application/json", "content-encoding": "gzip" };
  return {
    name: "datadog",
    type: "datadog",
    async send(events: readonly SiemEvent[], signal?: AbortSignal) {
      let result: SendResult = { kind: "ok", status: 202 };
      for (const chunk of chunkEntries(events.map((e) => datadogEntry(e, base)))) {
        result = await poster.post(headers, await gzip(`[${chunk.join(",")}]`), signal);
        if (result.kind !== "ok") return result;
      }
      return result;
    },
    close: () => poster.close(),
  };
}
