import { hostname } from "node:os";
import type { SiemConfig } from "../platform/config/siem.js";
import { createHttpPoster, gzip } from "./http-client.js";
import type { SiemDestination, SiemEvent } from "./types.js";

type SplunkConfig = NonNullable<SiemConfig["splunk"]>;

const EVENT_PATH = "/services/collector/event";

/** SPLUNK_HEC_URL may be the HEC base (`https://splunk:8088`) or the full event endpoint. */
export function hecEventUrl(configured: string): string {
  const url = new URL(configured);
  if (url.pathname === "/" || url.pathname === "") url.pathname = EVENT_PATH;
  return url.toString();
}

/**
 * Splunk HTTP Event Collector: `POST /services/collector/event`, `Authorization: Splunk <token>`,
 * a body of concatenated event objects `{time, host, source, sourcetype, index, event}` (one per
 * line), gzip-encoded. `event` is the audit event itself, so its `id` is searchable for de-dup.
 */
export function createSplunkHecDestination(config: SplunkConfig): SiemDestination {
  const poster = createHttpPoster({ url: hecEventUrl(config.url), verifyTls: config.verifyTls });
  // `{"host":…,"source":…,"sourcetype":…,"index":…}` minus its braces (absent settings omitted).
  const fixed = JSON.stringify({
    host: hostname(),
    source: config.source,
    sourcetype: config.sourcetype,
    index: config.index,
  });
  const envelope = fixed.length > 2 ? `${fixed.slice(1, -1)},` : "";
  const headers = {
    authorization: `Splunk ${config.token}`,
    "content-type": "application/json",
    "content-encoding": "gzip",
  };
  return {
    name: "splunk",
    type: "splunk_hec",
    async send(events: readonly SiemEvent[], signal?: AbortSignal) {
      // The envelope is assembled around the event's JSON rather than stringifying a wrapper per
      // event: same keys in the same order, the constant ones serialised once.
      const lines = events.map(
        (event) => `{"time":${hecTime(event.timestamp)},${envelope}"event":${JSON.stringify(event)}}`,
      );
      return poster.post(headers, await gzip(lines.join("\n")), signal);
    },
    close: () => poster.close(),
  };
}

/** HEC `time`: epoch seconds; the fraction keeps millisecond ordering (as JSON: null if invalid). */
function hecTime(timestamp: string): string {
  const seconds = Date.parse(timestamp) / 1000;
  return Number.isFinite(seconds) ? String(seconds) : "null";
}
