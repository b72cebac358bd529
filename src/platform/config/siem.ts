import { type Env, EnvReader } from "./parsers.js";

export interface SiemConfig {
  readonly splunk:
    | { url: string; token: string; index: string; sourcetype: string; source: string; verifyTls: boolean }
    | undefined;
  readonly datadog: { apiKey: string; site: string; url: string; service: string; tags: string } | undefined;
  readonly webhook: { url: string; secret: string | undefined } | undefined;
  readonly batchSize: number;
  readonly flushIntervalMs: number;
  readonly maxBackoffMs: number;
  readonly circuitFailureThreshold: number;
  readonly circuitResetMs: number;
}

/** Reads the SIEM destinations (each enabled by its URL or key) and the forwarder's pacing. */
export function readSiemConfig(env: Env, problems: string[]): SiemConfig {
  const r = new EnvReader(env, problems);
  const splunkUrl = r.url("SPLUNK_HEC_URL", ["http:", "https:"]);
  const splunkToken = r.optional("SPLUNK_HEC_TOKEN");
  if (splunkUrl && !splunkToken) problems.push("SPLUNK_HEC_URL is set but SPLUNK_HEC_TOKEN is missing");
  const ddKey = r.optional("DATADOG_API_KEY");
  const ddSite = r.string("DATADOG_SITE", "datadoghq.com");
  const webhookUrl = r.url("SIEM_WEBHOOK_URL", ["http:", "https:"]);
  return {
    splunk:
      splunkUrl && splunkToken
        ? {
            url: splunkUrl,
            token: splunkToken,
            index: r.string("SPLUNK_INDEX", "sark_audit"),
            sourcetype: r.string("SPLUNK_SOURCETYPE", "sark:audit"),
            source: r.string("SPLUNK_SOURCE", "sark"),
            verifyTls: r.bool("SPLUNK_VERIFY_TLS", true),
          }
        : undefined,
    datadog: ddKey
      ? {
          apiKey: ddKey,
          site: ddSite,
          url: r.url("DATADOG_LOGS_URL", ["http:", "https:"]) ?? `https://http-intake.logs.${ddSite}/api/v2/logs`,
          service: r.string("DATADOG_SERVICE", "sark"),
          tags: r.string("DATADOG_TAGS", ""),
        }
      : undefined,
    webhook: webhookUrl ? { url: webhookUrl, secret: r.optional("SIEM_WEBHOOK_SECRET") } : undefined,
    batchSize: r.int("SIEM_BATCH_SIZE", 500, 1, 10_000),
    flushIntervalMs: r.int("SIEM_FLUSH_INTERVAL_MS", 1000, 10, 600_000),
    maxBackoffMs: r.int("SIEM_MAX_BACKOFF_MS", 30_000, 10, 3_600_000),
    circuitFailureThreshold: r.int("SIEM_CIRCUIT_FAILURE_THRESHOLD", 5, 1, 1000),
    circuitResetMs: r.int("SIEM_CIRCUIT_RESET_MS", 30_000, 10, 3_600_000),
  };
}
