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
const IMAGE = 'jsonpath={.spec.template.spec.containers[?(@.name=="sark")].image}';
const state = (name: string) => [...NS, "get", "deployment", name, "-o", STATE_OUTPUT];
const canaryImage = [...NS, "get", "deployment", "sark-canary", "-o", IMAGE];
const canaryReplicas = [...NS, "get", "deployment", "sark-canary", "-o", "jsonpath={.spec.replicas}"];
const WEIGHT = [
  ...NS,
  "get",
  "ingress",
  "sark-canary",
  "-o",
  "jsonpath={.metadata.annotations.nginx\\.ingress\\.kubernetes\\.io/canary-weight}",
];
const setWeight = (weight: number) => [
  ...NS,
  "annotate",
  "ingress",
  "sark-canary",
  "--overwrite",
  `nginx.ingress.kubernetes.io/canary-weight=${weight}`,
];
const park = [...NS, "scale", "deployment/sark-canary", "--replicas=0"];

const READY_CANARY = deploymentState({ image: "sark:2", wanted: 2, ready: 2 });
const UNREADY_CANARY = deploymentState({ image: "sark:2", wanted: 2, ready: 1 });

let fake: FakeKubectl | undefined;
afterEach(() => fake?.remove());

function canary(args: string[], replies: CannedReply[]) {
  fake = createFakeKubectl(replies);
  return { ...runScript("canary.sh", args, fake), calls: fake.calls() };
}

describe("canary.sh status", () => {
  it("reads the weight and both Deployments, and changes nothing", () => {
    const result = canary(
      ["status"],
      [
        { args: WEIGHT, stdout: "25" },
        { args: state("sark"), stdout: deploymentState({ image: "sark:1", wanted: 3, ready: 3 }) },
        { args: state("sark-canary"), stdout: READY_CANARY },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("canary weight: 25%");
    expect(result.stdout).toContain("sark: sark:1, 3/3 ready, 3 updated, ready");
    expect(result.stdout).toContain("sark-canary: sark:2, 2/2 ready, 2 updated, ready");
    expect(result.calls).toEqual([WEIGHT, state("sark"), state("sark-canary")]);
  });
});

describe("canary.sh deploy", () => {
  it("starts a parked canary with the new image and waits for it", () => {
    const result = canary(["deploy", "sark:2"], [{ args: canaryReplicas, stdout: "0" }]);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      canaryReplicas,
      [...NS, "set", "image", "deployment/sark-canary", "sark=sark:2"],
      [...NS, "scale", "deployment/sark-canary", "--replicas=1"],
      [...NS, "rollout", "status", "deployment/sark-canary", "--timeout=10m"],
    ]);
  });

  it("leaves a running canary's size to its autoscaler", () => {
    const result = canary(["deploy", "sark:3"], [{ args: canaryReplicas, stdout: "2" }]);
    expect(result.code).toBe(0);
    expect(result.calls.map((call) => call[2])).toEqual(["get", "set", "rollout"]);
  });
});

describe("canary.sh set-weight", () => {
  it.each([10, 25, 50, 100])("sends %i%% to a ready canary", (weight) => {
    const result = canary(["set-weight", String(weight)], [{ args: state("sark-canary"), stdout: READY_CANARY }]);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([state("sark-canary"), setWeight(weight)]);
  });

  it("sets 0 without looking at the canary", () => {
    const result = canary(["set-weight", "0"], []);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([setWeight(0)]);
  });

  it("refuses to send traffic to a canary that is not fully ready", () => {
    const result = canary(["set-weight", "25"], [{ args: state("sark-canary"), stdout: UNREADY_CANARY }]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("refusing to send traffic");
    expect(result.calls).toEqual([state("sark-canary")]);
  });

  it.each(["150", "101", "1000", "ten", "2.5", ""])(
    "refuses %j with the usage and exit 2, calling nothing",
    (weight) => {
      const result = canary(["set-weight", weight], []);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("whole percentage from 0 to 100");
      expect(result.calls).toEqual([]);
    },
  );
});

describe("canary.sh promote", () => {
  it("rolls the canary's image out to sark, then takes the weight to 0 before parking the canary", () => {
    const result = canary(
      ["promote"],
      [
        { args: state("sark-canary"), stdout: READY_CANARY },
        { args: canaryImage, stdout: "sark:2" },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      state("sark-canary"),
      canaryImage,
      [...NS, "set", "image", "deployment/sark", "sark=sark:2"],
      [...NS, "rollout", "status", "deployment/sark", "--timeout=10m"],
      setWeight(0),
      park,
    ]);
  });

  it("refuses an unready canary and changes nothing", () => {
    const result = canary(["promote"], [{ args: state("sark-canary"), stdout: UNREADY_CANARY }]);
    expect(result.code).toBe(1);
    expect(result.calls).toEqual([state("sark-canary")]);
  });

  it("with --dry-run prints the changes and makes none", () => {
    const result = canary(
      ["promote", "--dry-run"],
      [
        { args: state("sark-canary"), stdout: READY_CANARY },
        { args: canaryImage, stdout: "sark:2" },
      ],
    );
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([state("sark-canary"), canaryImage]);
    expect(result.stdout).toContain("dry-run: ");
    expect(result.stdout).toContain("set image deployment/sark sark=sark:2");
  });
});

describe("canary.sh abort", () => {
  it("takes the weight to 0 before parking the canary", () => {
    const result = canary(["abort"], []);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([setWeight(0), park]);
  });
});

describe("canary.sh usage", () => {
  it.each([
    [["rollback"], "unknown command: rollback"],
    [[], "no command"],
    [["set-weight"], "set-weight needs a percentage"],
    [["abort", "now"], "abort takes no arguments"],
    [["status", "--all"], "unknown option: --all"],
  ])("%j prints the usage and exits 2 without calling kubectl", (args, message) => {
    const result = canary(args, []);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("Usage: canary.sh");
    expect(result.calls).toEqual([]);
  });
});
