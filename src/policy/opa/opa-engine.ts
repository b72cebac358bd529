import http from "node:http";
import https from "node:https";
import type { PolicyInput } from "../../core/policy-input.js";
import { interpretResult } from "../result.js";
import { type EngineResult, type PolicyEngine, PolicyEvalFailure } from "../types.js";

export interface OpaEngineOptions {
  /** e.g. http://opa:8181 */
  url: string;
  /** Data API path of the decision document, e.g. /v1/data/sark/authz */
  policyPath: string;
  timeoutMs: number;
  /** Keep-alive pool size. */
  maxSockets?: number;
}

const MAX_RESPONSE_BYTES = 1_048_576;

/**
 * Remote OPA through its REST data API: `POST <url><policyPath> {"input": …}` over a keep-alive
 * pool. The result may be the decision object (`allow`, `deny`, `reason`, …) or a bare boolean.
 * Every failure (connection, timeout, HTTP status, malformed body, no result) throws a
 * PolicyEvalFailure naming OPA, which the authorizer records as the deny reason.
 */
export function createOpaEngine(options: OpaEngineOptions): PolicyEngine {
  const target = new URL(options.policyPath, options.url);
  const isHttps = target.protocol === "https:";
  const agent = isHttps
    ? new https.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 })
    : new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  const label = `opa:${options.policyPath}`;
  const source = `OPA at ${target.origin}`;

  function send(url: URL, body: string | undefined): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const headers =
        body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
      const req = (isHttps ? https : http).request(
        url,
        { method: body === undefined ? "GET" : "POST", agent, headers, timeout: options.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on("data", (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) req.destroy(new Error("response too large"));
            else chunks.push(c);
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      // `timeout` only covers socket inactivity; the overall deadline is enforced here.
      const deadline = setTimeout(
        () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      req.on("timeout", () => req.destroy(new Error(`timed out after ${options.timeoutMs} ms`)));
      req.on("error", reject);
      req.on("close", () => clearTimeout(deadline));
      req.end(body);
    });
  }

  async function evaluate(input: PolicyInput): Promise<EngineResult> {
    let res: { status: number; text: string };
    try {
      res = await send(target, JSON.stringify({ input }));
    } catch (e) {
      throw new PolicyEvalFailure(`${source} unavailable: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (res.status !== 200) throw new PolicyEvalFailure(`${source} answered HTTP ${res.status}`);
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      throw new PolicyEvalFailure(`${source} returned a body that is not JSON`);
    }
    if (typeof body !== "object" || body === null) throw new PolicyEvalFailure(`${source} returned a malformed body`);
    return interpretResult((body as { result?: unknown }).result, source);
  }

  return {
    kind: "opa",
    version: () => label,
    cacheScope: () => `opa:${target.href}`,
    evaluate,
    async health() {
      // OPA's own health endpoint: 200 once its bundles (if any) are activated.
      const res = await send(new URL("/health", target), undefined).catch((e: unknown) => ({
        status: 0,
        text: e instanceof Error ? e.message : String(e),
      }));
      return res.status === 200
        ? { status: "healthy" as const }
        : { status: "unhealthy" as const, error: res.status ? `HTTP ${res.status}` : res.text };
    },
    async close() {
      agent.destroy();
    },
  };
}
