import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

describe("log destination", () => {
  it("writes every line once and in order, including those logged just before process.exit", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "test/platform/fixtures/log-burst.ts"], {
      encoding: "utf8",
    });
    expect(run.status).toBe(3);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { n: number; msg: string });
    expect(lines.map((l) => l.n)).toEqual(Array.from({ length: 5501 }, (_, i) => i));
    expect(lines.at(-1)?.msg).toBe("last words");
  });

  it("access lines captured in the turn a process exits in are still written", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "test/platform/fixtures/access-exit.ts"], {
      encoding: "utf8",
    });
    expect(run.status).toBe(4);
    const ids = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { reqId: string })
      .map((l) => l.reqId);
    expect(ids).toEqual(["r0", "r1", "r2"]);
  });
});
