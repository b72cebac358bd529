import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

/** Runs a fixture that logs and then exits; returns its exit code and its stdout's JSON lines. */
function runFixture<T>(name: string): { status: number | null; lines: T[] } {
  const run = spawnSync(process.execPath, ["--import", "tsx", `test/platform/fixtures/${name}`], { encoding: "utf8" });
  return {
    status: run.status,
    lines: run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as T),
  };
}

describe("log destination", () => {
  it("writes every line once and in order, including those logged just before process.exit", () => {
    const run = runFixture<{ n: number; msg: string }>("log-burst.ts");
    expect(run.status).toBe(3);
    expect(run.lines.map((l) => l.n)).toEqual(Array.from({ length: 5501 }, (_, i) => i));
    expect(run.lines.at(-1)?.msg).toBe("last words");
  });

  it("access lines captured in the turn a process exits in are still written", () => {
    const run = runFixture<{ reqId: string }>("access-exit.ts");
    expect(run.status).toBe(4);
    expect(run.lines.map((l) => l.reqId)).toEqual(["r0", "r1", "r2"]);
  });

  it("processes sharing one stdout pipe never interleave their lines (SARK_WORKERS)", async () => {
    // The writers share this test's pipe through a shell, as workers share the container's stdout.
    const writer = "test/platform/fixtures/shared-pipe-writer.ts";
    const node = JSON.stringify(process.execPath);
    const script = [0, 1, 2].map((id) => `${node} --import tsx ${writer} ${id} atomic &`).join(" ");
    const shell = spawn("sh", ["-c", `${script} wait`], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    shell.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    await new Promise((resolve) => shell.on("close", resolve));
    const lines = out.trim().split("\n");
    const parsed = lines.map((l) => JSON.parse(l) as { id: string });
    expect(parsed.length).toBe(3 * 20 * 400);
    for (const id of ["0", "1", "2"]) expect(parsed.filter((l) => l.id === id).length).toBe(8000);
  }, 60_000);
});
