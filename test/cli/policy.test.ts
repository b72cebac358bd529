import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryIo } from "../../src/cli/io.js";
import { policy } from "../../src/cli/policy/index.js";
import { runSark } from "../helpers/process.js";

const BROKEN_TEST = `package demo

import rego.v1

allow if input.user == "alice"

test_alice if allow with input as {"user": "alice"}

test_bob_deliberately_wrong if allow with input as {"user": "bob"}
`;

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "sark-policy-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe("sark policy", () => {
  it("test policies/ passes, one PASS line per test", async () => {
    const io = memoryIo();
    expect(await policy(["test", "policies"], io)).toBe(0);
    expect(io.stdout).toContain("PASS: data.sark.authz_test.test_admin_invokes_critical_without_data");
    expect(io.stdout).toContain("PASS: policies/sark/authz_suite.yaml: viewer cannot register a server");
    expect(io.stdout).not.toContain("FAIL");
  });

  it("test fails with exit code 1 on a failing test and names it", async () => {
    const io = memoryIo();
    expect(await policy(["test", tempDir({ "demo.rego": BROKEN_TEST })], io)).toBe(1);
    expect(io.stdout).toContain("PASS: data.demo.test_alice");
    expect(io.stdout).toContain("FAIL: data.demo.test_bob_deliberately_wrong");
    expect(io.stdout).toContain("FAIL: 1/2");
  });

  it("runs YAML suites and fails on a wrong expectation", async () => {
    const dir = tempDir({
      "demo.rego": 'package demo\n\nimport rego.v1\n\nallow if input.user == "alice"\n',
      "suite.yaml":
        "policy: demo.rego\npackage: demo\ntests:\n  - name: alice\n    input: {user: alice}\n    expected: {allow: true}\n  - name: bob\n    input: {user: bob}\n    expected: {allow: true}\n",
    });
    const io = memoryIo();
    expect(await policy(["test", join(dir, "suite.yaml")], io)).toBe(1);
    expect(io.stdout).toMatch(/PASS: .*suite\.yaml: alice/);
    expect(io.stdout).toMatch(/FAIL: .*suite\.yaml: bob \(expected allow=true, got allow=false\)/);
  });

  it("check prints file:line:col for a syntax error", async () => {
    const dir = tempDir({ "bad.rego": "package bad\n\nallow if {\n  input.x ==\n}\n" });
    const io = memoryIo();
    expect(await policy(["check", join(dir, "bad.rego")], io)).toBe(1);
    expect(io.stderr).toMatch(/bad\.rego:5:1: /);
    const ok = memoryIo();
    expect(await policy(["check", "policies"], ok)).toBe(0);
    expect(ok.stdout).toContain("sark.authz");
  });

  it("eval prints the JSON result of a query over --data and --input", async () => {
    const dir = tempDir({
      "input.json": JSON.stringify({ user: { roles: ["viewer"] }, action: "server:register" }),
      "config.json": JSON.stringify({ sark: { config: { mfa_required_for: ["high"] } } }),
    });
    const io = memoryIo();
    expect(
      await policy(
        [
          "eval",
          "--data",
          "policies/sark/authz.rego",
          "--data",
          join(dir, "config.json"),
          "--input",
          join(dir, "input.json"),
          "data.sark.authz.reason",
        ],
        io,
      ),
    ).toBe(0);
    expect(JSON.parse(io.stdout)).toBe("role(s) viewer may not server:register");
    const q = memoryIo();
    expect(
      await policy(
        ["eval", "-d", "policies/sark/authz.rego", "-d", join(dir, "config.json"), "x := data.sark.authz.mfa_levels"],
        q,
      ),
    ).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual([{ x: ["high"] }]);
    expect(await policy(["eval", "data.x"], memoryIo())).toBe(2);
  });

  it("is wired into the sark binary (spawned)", () => {
    const dir = tempDir({ "demo.rego": BROKEN_TEST });
    const res = runSark(["policy", "test", dir], { LOG_LEVEL: "silent" });
    expect(res.code).toBe(1);
    expect(res.stdout).toContain("FAIL: data.demo.test_bob_deliberately_wrong");
  }, 60_000);
});
