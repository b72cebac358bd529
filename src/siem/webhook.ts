import { createHmac } from "node:crypto";
import type { SiemConfig } from "../platform/config/siem.js";
import { createHttpPoster, gzip } from "./http-client.js";
import type { SiemDestination, SiemEvent } from "./types.js";

type WebhookConfig = NonNullable<SiemConfig["webhook"]>;

export const SIGNATURE_HEADER = "x-sark-signature";
export const TIMESTAMP_HEADER = "x-sark-timestamp";

/**
 * The webhook signature: hex HMAC-SHA256 with SIEM_WEBHOOK_SECRET over `<timestamp>.<body>`, where
 * body is the uncompressed JSON. Binding the timestamp lets receivers refuse replays.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * Generic webhook: `POST <SIEM_WEBHOOK_URL>` with a gzip JSON body `{source, events: [...]}`, and
 * when a secret is configured `X-Sark-Timestamp` (unix seconds) + `X-Sark-Signature: sha256=<hex>`.
 */
export function createWebhookDestination(config: WebhookConfig, now: () => number = Date.now): SiemDestination {
  const poster = createHttpPoster({ url: config.url });
  return {
    name: "webhook",
    type: "webhook",
    async send(events: readonly SiemEvent[], signal?: AbortSignal) {
      const body = JSON.stringify({ source: "sark", events });
      const headers: Record<string, string> = { "content-type": "application/json", "content-encoding": "gzip" };
      if (config.secret) {
        const timestamp = String(Math.floor(now() / 1000));
        headers[TIMESTAMP_HEADER] = timestamp;
        headers[SIGNATURE_HEADER] = webhookSignature(config.secret, timestamp, body);
      }
      return poster.post(headers, await gzip(body), signal);
    },
    close: () => poster.close(),
  };
}
