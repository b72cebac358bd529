import { spawnSync } from "node:child_process";
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
});
