// SARK's smoke test: asks a running SARK what an operator would after a deploy, one line per check
// (`PASS name`, `FAIL name: reason`, `SKIP name: reason`), and exits 0 only when every check passed.
//
//   scripts/smoke-test.sh [--insecure] [--timeout SECONDS] URL
//
// Without SARK_SMOKE_PASSWORD only the public checks run (probes, /health/detailed, /metrics). With
// it, the checks also log in as SARK_SMOKE_USERNAME (default admin), list servers, register and
// delete a throwaway server, ask for a policy decision, read the SIEM status and log out.
// Dependency-free (Node.js >= 20, global fetch), so it runs inside the image, which has no curl.
// A new check is one more entry in PUBLIC_CHECKS or AUTHENTICATED_CHECKS.
import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";

const USAGE = "usage: smoke-test.sh [--insecure] [--timeout SECONDS] URL";
const DEFAULT_TIMEOUT_SECONDS = 10;

/** A check's verdict: thrown with the reason the check failed. */
class CheckFailed extends Error {}

/** Thrown by a check that cannot run (an earlier check it needs failed). */
class CheckSkipped extends Error {}

const PUBLIC_CHECKS = [
  {
    name: "live",
    run: async ({ call }) => expectBody(await call("GET", "/health/live"), (b) => b.status === "alive"),
  },
  {
    name: "ready",
    run: async ({ call }) => expectBody(await call("GET", "/ready"), (b) => b.status === "ready"),
  },
  {
    name: "health",
    run: async ({ call }) => expectBody(await call("GET", "/health"), (b) => b.status === "healthy"),
  },
  {
    name: "health detailed",
    run: async ({ call }) => {
      const body = expectBody(await call("GET", "/health/detailed"), (b) => typeof b.status === "string");
      if (body.status === "healthy") return;
      const unwell = Object.entries(body.components ?? {})
        .filter(([, c]) => c.status !== "healthy")
        .map(([name, c]) => `${name} ${c.status}${c.error ? ` (${c.error})` : ""}`);
      throw new CheckFailed(`status ${body.status}: ${unwell.join(", ") || "no component named"}`);
    },
  },
  {
    name: "metrics",
    run: async ({ call }) => {
      const res = expectStatus(await call("GET", "/metrics"), 200);
      if (!res.text.includes("sark_http_requests_total")) throw new CheckFailed("no sark_http_requests_total series");
    },
  },
];

const AUTHENTICATED_CHECKS = [
  {
    name: "login",
    run: async ({ call, state, credentials }) => {
      const res = await call("POST", "/api/v1/auth/login", { body: credentials });
      const body = expectBody(res, (b) => typeof b.access_token === "string");
      state.token = body.access_token;
      state.refreshToken = body.refresh_token;
    },
  },
  {
    name: "list servers",
    run: async ({ call, token }) =>
      expectBody(await call("GET", "/api/v1/servers?limit=1", { token: token() }), (b) => Array.isArray(b.items)),
  },
  {
    name: "registry write",
    run: async ({ call, token }) => {
      const server = {
        name: `smoke-test-${randomUUID()}`,
        transport: "streamable-http",
        endpoint: "https://smoke-test.invalid/mcp",
        description: "Registered and deleted by scripts/smoke-test.mjs",
        tags: ["smoke-test"],
      };
      const created = expectBody(
        await call("POST", "/api/v1/servers", { token: token(), body: server }),
        (b) => Boolean(b.id),
        201,
      );
      const deleted = await call("DELETE", `/api/v1/servers/${created.id}`, { token: token() });
      if (deleted.status !== 204) {
        throw new CheckFailed(
          `registered ${created.id} (${server.name}) but could not delete it: ${describe(deleted)}`,
        );
      }
    },
  },
  {
    name: "policy evaluate",
    run: async ({ call, token }) => {
      const question = {
        action: "tool:invoke",
        server: { name: "smoke-test", sensitivity_level: "low" },
        tool: { name: "smoke_test_echo", sensitivity_level: "low" },
      };
      // Any decision passes: the check is that the engine answers, whatever the deployed policy says.
      expectBody(
        await call("POST", "/api/v1/policies/evaluate", { token: token(), body: question }),
        (b) => (b.decision === "allow" || b.decision === "deny") && typeof b.policy_version === "string",
      );
    },
  },
  {
    name: "siem status",
    run: async ({ call, token }) => {
      const body = expectBody(await call("GET", "/api/v1/siem/status", { token: token() }), (b) =>
        Array.isArray(b.destinations),
      );
      const failing = body.destinations.filter((d) => d.status === "failed" || d.circuit_state === "open");
      if (failing.length > 0) {
        const named = failing.map((d) => `${d.name} ${d.status}, circuit ${d.circuit_state}: ${d.last_error ?? "?"}`);
        throw new CheckFailed(`failing destinations: ${named.join("; ")}`);
      }
    },
  },
  {
    name: "logout",
    run: async ({ call, token, state }) =>
      expectStatus(
        await call("POST", "/api/v1/auth/logout", { token: token(), body: { refresh_token: state.refreshToken } }),
        204,
      ),
  },
];

/** The response, when its status is `status`; else the check fails naming what came back. */
function expectStatus(res, status) {
  if (res.status !== status) throw new CheckFailed(`expected HTTP ${status}, got ${describe(res)}`);
  return res;
}

/** The JSON body, when the status is `status` and `accept(body)` holds. */
function expectBody(res, accept, status = 200) {
  expectStatus(res, status);
  if (res.json === undefined || !accept(res.json)) throw new CheckFailed(`unexpected body: ${snippet(res.text)}`);
  return res.json;
}

/** `HTTP 503 READ_ONLY: message` for SARK's error envelope, else the status and the start of the body. */
function describe(res) {
  const error = res.json?.error;
  if (error?.code) return `HTTP ${res.status} ${error.code}: ${error.message ?? ""}`.trimEnd();
  return `HTTP ${res.status}: ${snippet(res.text)}`;
}

const snippet = (text) => (text.length > 200 ? `${text.slice(0, 200)}…` : text) || "(empty body)";

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `call(method, path, { token, body })` against SARK at `baseUrl`; fails the check on a transport error. */
function client(baseUrl, timeoutMs) {
  const base = baseUrl.replace(/\/+$/, "");
  return async (method, path, { token, body } = {}) => {
    const headers = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      const res = await fetch(base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      return { status: res.status, text, json: parseJson(text) };
    } catch (e) {
      const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(e);
      throw new CheckFailed(
        `${method} ${path}: ${e?.name === "TimeoutError" ? `no answer in ${timeoutMs} ms` : cause}`,
      );
    }
  };
}

function parseOptions(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { insecure: { type: "boolean", default: false }, timeout: { type: "string" }, help: { type: "boolean" } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const seconds = Number(values.timeout ?? DEFAULT_TIMEOUT_SECONDS);
  if (positionals.length !== 1 || !/^https?:\/\//.test(positionals[0] ?? "") || !(seconds > 0)) {
    throw new Error(USAGE);
  }
  return { url: positionals[0], insecure: values.insecure, timeoutMs: Math.round(seconds * 1000) };
}

/** Runs the checks in order, printing one line each; returns the names of those that failed. */
async function runChecks(checks, context) {
  const failed = [];
  for (const check of checks) {
    try {
      await check.run(context);
      process.stdout.write(`PASS ${check.name}\n`);
    } catch (e) {
      if (e instanceof CheckSkipped) {
        process.stdout.write(`SKIP ${check.name}: ${e.message}\n`);
        continue;
      }
      failed.push(check.name);
      const reason = e instanceof CheckFailed ? e.message : `unexpected error: ${e?.stack ?? e}`;
      process.stdout.write(`FAIL ${check.name}: ${reason}\n`);
    }
  }
  return failed;
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    return 2;
  }
  // Only this process: accepts a self-signed certificate, as asked on the command line.
  if (options.insecure) process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

  const password = process.env.SARK_SMOKE_PASSWORD;
  const state = {};
  const context = {
    call: client(options.url, options.timeoutMs),
    state,
    credentials: { username: process.env.SARK_SMOKE_USERNAME || "admin", password },
    token: () => state.token ?? raise(new CheckSkipped("needs a successful login")),
  };
  const checks = password ? [...PUBLIC_CHECKS, ...AUTHENTICATED_CHECKS] : PUBLIC_CHECKS;
  process.stdout.write(`smoke test of ${options.url}\n`);
  if (!password) process.stdout.write("SKIP authenticated checks: SARK_SMOKE_PASSWORD is not set\n");
  const failed = await runChecks(checks, context);
  process.stdout.write(
    failed.length === 0
      ? `smoke test passed (${checks.length} checks)\n`
      : `smoke test FAILED: ${failed.join(", ")} (${failed.length} of ${checks.length} checks)\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

function raise(error) {
  throw error;
}

process.exitCode = await main();
