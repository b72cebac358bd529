import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app.js";
import type { AppInstance } from "../../src/platform/feature.js";
import { ADMIN, createTestApp, type TestApp } from "../helpers/app.js";

const PUBLIC_CHECKS = ["live", "ready", "health", "health detailed", "metrics"];

interface SmokeRun {
  code: number;
  stdout: string;
  lines: string[];
}

/** Runs scripts/smoke-test.sh as an operator would; only the given SARK_SMOKE_* variables are set. */
function smokeTest(args: string[], smokeEnv: Record<string, string> = {}): Promise<SmokeRun> {
  const env = { ...process.env };
  delete env.SARK_SMOKE_PASSWORD;
  delete env.SARK_SMOKE_USERNAME;
  return new Promise((resolve) => {
    execFile("bash", ["scripts/smoke-test.sh", ...args], { env: { ...env, ...smokeEnv } }, (error, stdout) => {
      const code = error ? Number(error.code ?? -1) : 0;
      resolve({ code, stdout, lines: stdout.trim().split("\n") });
    });
  });
}

async function listen(app: AppInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** A plain HTTP server (not SARK) on a free loopback port. */
async function fakeServer(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("scripts/smoke-test.sh", () => {
  let sark: TestApp;
  let readOnlyApp: AppInstance;
  let healthyUrl: string;
  let readOnlyUrl: string;

  beforeAll(async () => {
    sark = await createTestApp();
    // READ_ONLY_MODE is applied by the app's request pipeline (app.ts): a second app on the same
    // Context with it on is SARK in read-only mode, without starting a second database.
    const { config } = sark.ctx;
    readOnlyApp = await buildApp({ ...sark.ctx, config: { ...config, http: { ...config.http, readOnly: true } } });
    [healthyUrl, readOnlyUrl] = await Promise.all([listen(sark.app), listen(readOnlyApp)]);
  }, 60_000);
  afterAll(async () => {
    await readOnlyApp?.close();
    await sark?.close();
  });

  it("passes every check against a healthy SARK with the right password", async () => {
    const run = await smokeTest([healthyUrl], { SARK_SMOKE_PASSWORD: ADMIN.password });
    expect(run.lines.filter((l) => /^(PASS|FAIL|SKIP) /.test(l))).toEqual(
      [...PUBLIC_CHECKS, "login", "list servers", "registry write", "policy evaluate", "siem status", "logout"].map(
        (name) => `PASS ${name}`,
      ),
    );
    expect(run.code).toBe(0);
    // The throwaway server was deleted again.
    const servers = await sark.request({ method: "GET", url: "/api/v1/servers", token: await sark.adminToken() });
    expect(servers.json().items).toEqual([]);
  });

  it("without a password runs the public checks only, and says the others were skipped", async () => {
    const run = await smokeTest([healthyUrl]);
    expect(run.lines).toContain("SKIP authenticated checks: SARK_SMOKE_PASSWORD is not set");
    expect(run.lines.filter((l) => l.startsWith("PASS "))).toEqual(PUBLIC_CHECKS.map((name) => `PASS ${name}`));
    expect(run.code).toBe(0);
  });

  it("fails naming the login check when the password is wrong, and skips what needs a login", async () => {
    const run = await smokeTest([healthyUrl], { SARK_SMOKE_PASSWORD: "not-the-password" });
    expect(run.lines).toContainEqual(expect.stringMatching(/^FAIL login: expected HTTP 200, got HTTP 401 /));
    expect(run.lines).toContain("SKIP registry write: needs a successful login");
    expect(run.lines.at(-1)).toBe("smoke test FAILED: login (1 of 11 checks)");
    expect(run.code).toBe(1);
  });

  it("fails naming the write check when SARK is in read-only mode", async () => {
    const run = await smokeTest([readOnlyUrl], { SARK_SMOKE_PASSWORD: ADMIN.password });
    expect(run.lines).toContain("PASS login");
    expect(run.lines).toContainEqual(
      expect.stringMatching(/^FAIL registry write: expected HTTP 201, got HTTP 503 READ_ONLY/),
    );
    expect(run.code).toBe(1);
  });

  it("fails every public check against a server that is not SARK", async () => {
    const { server, url } = await fakeServer((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end("{}"),
    );
    try {
      const run = await smokeTest([url]);
      expect(run.lines.filter((l) => l.startsWith("FAIL ")).map((l) => l.split(":")[0])).toEqual(
        PUBLIC_CHECKS.map((name) => `FAIL ${name}`),
      );
      expect(run.code).toBe(1);
    } finally {
      server.close();
    }
  });

  it("gives up on a request after --timeout seconds", async () => {
    const { server, url } = await fakeServer(() => undefined);
    try {
      const run = await smokeTest(["--timeout", "0.1", url]);
      expect(run.lines).toContain("FAIL live: GET /health/live: no answer in 100 ms");
      expect(run.code).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("refuses a missing or malformed URL with exit code 2", async () => {
    const runs = await Promise.all(
      [[], ["127.0.0.1:8000"], ["--timeout", "soon", healthyUrl]].map((a) => smokeTest(a)),
    );
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
  });
});
