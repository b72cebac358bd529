import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type CannedReply,
  createFakeKubectl,
  deploymentState,
  type FakeKubectl,
  runScript,
  STATE_OUTPUT,
} from "./support/fake-kubectl.js";

const NS = ["-n", "sark"];
const LIVE = [...NS, "get", "service", "sark", "-o", "jsonpath={.spec.selector.sark\\.io/color}"];
const PREVIOUS = [...NS, "get", "service", "sark", "-o", "jsonpath={.metadata.annotations.sark\\.io/previous-color}"];
const state = (color: string) => [...NS, "get", "deployment", `sark-${color}`, "-o", STATE_OUTPUT];
const replicas = (color: string) => [...NS, "get", "deployment", `sark-${color}`, "-o", "jsonpath={.spec.replicas}"];
const selectColor = (service: string, color: string, previous?: string) => [
  ...NS,
  "patch",
  "service",
  service,
  "--type=merge",
  "-p",
  `{${previous ? `"metadata":{"annotations":{"sark.io/previous-color":"${previous}"}},` : ""}"spec":{"selector":{"sark.io/color":"${color}"}}}`,
];

const READY_GREEN = deploymentState({ image: "sark:2", wanted: 3, ready: 3 });
const READY_BLUE = deploymentState({ image: "sark:1", wanted: 3, ready: 3 });

let fake: FakeKubectl | undefined;
afterEach(() => fake?.remove());

function blueGreen(args: string[], replies: CannedReply[], env: Record<string, string> = {}) {
  fake = createFakeKubectl(replies);
  return { ...runScript("blue-green.sh", args, fake, env), calls: fake.calls() };
}

describe("blue-green.sh status", () => {
  it("reads the live and previous colours and both Deployments, and changes nothing", () => {
    const result = blueGreen(
      ["status"],
      [
        { args: LIVE, stdout: "blue" },
        { args: PREVIOUS, stdout: "green" },
        { args: state("blue"), stdout: READY_BLUE },
        { args: state("green"), stdout: "sark:2|3|3|3||2|2" },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("live: blue");
    expect(result.stdout).toContain("previous: green");
    expect(result.stdout).toContain("sark-blue: sark:1, 3/3 ready, 3 updated, ready");
    expect(result.stdout).toContain("sark-green: sark:2, 0/3 ready, 3 updated, not ready");
    expect(result.calls).toEqual([LIVE, PREVIOUS, state("blue"), state("green")]);
  });
});

describe("blue-green.sh deploy", () => {
  const replies = [
    { args: LIVE, stdout: "blue" },
    { args: replicas("blue"), stdout: "4" },
  ];

  it("rolls the image out to the idle colour at the live colour's size and previews it", () => {
    const result = blueGreen(["deploy", "sark:2"], replies);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      LIVE,
      replicas("blue"),
      [...NS, "set", "image", "deployment/sark-green", "sark=sark:2"],
      [...NS, "scale", "deployment/sark-green", "--replicas=4"],
      [...NS, "rollout", "status", "deployment/sark-green", "--timeout=10m"],
      selectColor("sark-preview", "green"),
    ]);
    expect(result.stdout).toContain("blue-green.sh switch green");
  });

  it.each([
    [0, 0],
    [3, 1],
  ])("runs the smoke test against the given URL (smoke test exit %i, script exit %i)", (smokeExit, code) => {
    fake = createFakeKubectl(replies);
    const smoke = join(fake.dir, "smoke.sh");
    const script = `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >"${fake.dir}/smoke.args"\nexit ${smokeExit}\n`;
    writeFileSync(smoke, script, { mode: 0o755 });
    const result = runScript("blue-green.sh", ["deploy", "sark:2", "--smoke-url", "http://localhost:8080"], fake, {
      SARK_SMOKE_TEST: smoke,
    });
    expect(result.code).toBe(code);
    expect(readFileSync(join(fake.dir, "smoke.args"), "utf8")).toBe("http://localhost:8080\n");
    if (code !== 0) expect(result.stderr).toContain("smoke test failed against http://localhost:8080");
  });

  it("refuses before the first switch, when no colour is live", () => {
    const result = blueGreen(["deploy", "sark:2"], [{ args: LIVE, stdout: "" }]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no live colour yet");
    expect(result.calls).toEqual([LIVE]);
  });

  it("with --dry-run prints the changes and makes none", () => {
    const result = blueGreen(["--dry-run", "deploy", "sark:2"], replies);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([LIVE, replicas("blue")]);
    expect(result.stdout).toContain("dry-run: ");
    expect(result.stdout).toContain("set image deployment/sark-green sark=sark:2");
  });
});

describe("blue-green.sh switch", () => {
  it("points sark at a ready colour, records the one it replaces, and previews the other", () => {
    const result = blueGreen(
      ["switch", "green"],
      [
        { args: state("green"), stdout: READY_GREEN },
        { args: LIVE, stdout: "blue" },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      state("green"),
      LIVE,
      selectColor("sark", "green", "blue"),
      selectColor("sark-preview", "blue"),
    ]);
  });

  it.each([
    ["has unready replicas", deploymentState({ image: "sark:2", wanted: 3, ready: 2 })],
    ["has replicas of an older template", deploymentState({ image: "sark:2", wanted: 3, ready: 3, updated: 2 })],
    ["has not yet seen its latest change", deploymentState({ image: "sark:2", wanted: 3, ready: 3, observed: 1 })],
    ["still runs surplus old pods", deploymentState({ image: "sark:2", wanted: 3, ready: 3, current: 4 })],
    ["is scaled to zero", deploymentState({ image: "sark:2", wanted: 0, ready: 0 })],
    ["does not exist", undefined],
  ])("refuses, and patches nothing, when the target colour %s", (_case, stdout) => {
    const replies = stdout === undefined ? [] : [{ args: state("green"), stdout }];
    const result = blueGreen(["switch", "green"], [...replies, { args: LIVE, stdout: "blue" }]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("refusing to switch: sark-green is not fully ready");
    expect(result.calls).toEqual([state("green")]);
  });

  it("leaves the Services alone when the colour is already live", () => {
    const result = blueGreen(
      ["switch", "green"],
      [
        { args: state("green"), stdout: READY_GREEN },
        { args: LIVE, stdout: "green" },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("already live");
    expect(result.calls).toEqual([state("green"), LIVE]);
  });

  it("records no previous colour on the first switch", () => {
    const result = blueGreen(
      ["switch", "blue"],
      [
        { args: state("blue"), stdout: READY_BLUE },
        { args: LIVE, stdout: "" },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.calls.slice(2)).toEqual([selectColor("sark", "blue"), selectColor("sark-preview", "green")]);
  });

  it("works in the namespace given by -n or SARK_NAMESPACE", () => {
    const replies = (ns: string) => [
      { args: ["-n", ns, "get", "deployment", "sark-green"], stdout: READY_GREEN },
      { args: ["-n", ns, "get", "service", "sark"], stdout: "blue" },
    ];
    const flag = blueGreen(["switch", "green", "-n", "sark-staging"], replies("sark-staging"));
    expect(flag.code).toBe(0);
    expect(flag.calls.every((call) => call[1] === "sark-staging")).toBe(true);
    fake?.remove();
    const env = blueGreen(["switch", "green"], replies("other"), { SARK_NAMESPACE: "other" });
    expect(env.code).toBe(0);
    expect(env.calls.every((call) => call[1] === "other")).toBe(true);
  });
});

describe("blue-green.sh rollback", () => {
  it("switches back to the recorded colour, recording the one it leaves", () => {
    const result = blueGreen(
      ["rollback"],
      [
        { args: PREVIOUS, stdout: "blue" },
        { args: state("blue"), stdout: READY_BLUE },
        { args: LIVE, stdout: "green" },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      PREVIOUS,
      state("blue"),
      LIVE,
      selectColor("sark", "blue", "green"),
      selectColor("sark-preview", "green"),
    ]);
  });

  it("refuses when no switch was recorded", () => {
    const result = blueGreen(["rollback"], [{ args: PREVIOUS, stdout: "" }]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no previous colour");
    expect(result.calls).toEqual([PREVIOUS]);
  });
});

describe("blue-green.sh usage", () => {
  it.each([
    [["promote"], "unknown command: promote"],
    [[], "no command"],
    [["switch", "red"], "unknown colour: red"],
    [["deploy"], "deploy needs exactly one IMAGE"],
    [["status", "--smoke-url", "http://x"], "--smoke-url goes with deploy"],
    [["status", "--force"], "unknown option: --force"],
  ])("%j prints the usage and exits 2 without calling kubectl", (args, message) => {
    const result = blueGreen(args, []);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("Usage: blue-green.sh");
    expect(result.calls).toEqual([]);
  });
});
