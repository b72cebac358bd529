/**
 * The pods the chart runs: probes on the endpoints SARK serves, a rollout that never drops
 * capacity, a shutdown that fits the drain SARK performs, and the restricted Pod Security
 * Standard for the server, the migration Job and the test pod. Each check is shown catching a
 * broken render.
 */
import type { V1Container, V1Deployment, V1Job, V1Pod, V1PodSpec, V1Probe, V1Service } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { findOne, minimalSecrets, render, renderError, valuesFiles } from "./support/helm-render.js";
import type { KubeObject } from "./support/manifests.js";

const containerPort = 8000;

function serverContainer(deployment: V1Deployment): V1Container {
  const container = deployment.spec?.template.spec?.containers[0];
  if (!container) throw new Error("the Deployment has no container");
  return container;
}

/** The number a probe's or Service's port means in this container (a name resolves through its ports). */
function resolvePort(container: V1Container, port: number | string | undefined): number | undefined {
  return typeof port === "number" ? port : container.ports?.find((p) => p.name === port)?.containerPort;
}

function probeProblems(deployment: V1Deployment, service: V1Service): string[] {
  const container = serverContainer(deployment);
  const problems: string[] = [];
  const expectProbe = (name: string, probe: V1Probe | undefined, path: string) => {
    if (probe?.httpGet?.path !== path) problems.push(`${name} probe is not ${path}`);
    if (resolvePort(container, probe?.httpGet?.port) !== containerPort)
      problems.push(`${name} probe misses port ${containerPort}`);
  };
  expectProbe("readiness", container.readinessProbe, "/ready");
  expectProbe("liveness", container.livenessProbe, "/health/live");
  expectProbe("startup", container.startupProbe, "/health/startup");
  const target = service.spec?.ports?.[0]?.targetPort;
  if (resolvePort(container, target) !== containerPort)
    problems.push(`Service targets ${target}, not port ${containerPort}`);
  const rolling = deployment.spec?.strategy?.rollingUpdate;
  if (rolling?.maxSurge !== 1 || rolling.maxUnavailable !== 0)
    problems.push("rollout is not maxSurge 1 / maxUnavailable 0");
  return problems;
}

/**
 * The drain SARK performs after SIGTERM (docs/OPERATIONS.md): serve with readiness failing for
 * SHUTDOWN_DELAY_MS, long enough for the readiness probe to notice; then drain for
 * SHUTDOWN_GRACE_MS; all within terminationGracePeriodSeconds, with a margin.
 */
function shutdownProblems(deployment: V1Deployment, configMap: KubeObject, minimumMarginMs = 2000): string[] {
  const container = serverContainer(deployment);
  const data = configMap.data as Record<string, string>;
  const delayMs = Number(data.SHUTDOWN_DELAY_MS);
  const graceMs = Number(data.SHUTDOWN_GRACE_MS);
  const periodMs = (deployment.spec?.template.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  const readiness = container.readinessProbe;
  const detectionMs = (readiness?.periodSeconds ?? 10) * (readiness?.failureThreshold ?? 3) * 1000;
  const problems: string[] = [];
  if (!container.envFrom?.some((source) => source.configMapRef?.name === configMap.metadata.name)) {
    problems.push("the container does not read the ConfigMap");
  }
  if (container.env?.some((variable) => variable.name.startsWith("SHUTDOWN_")))
    problems.push("env overrides SHUTDOWN_*");
  if (container.lifecycle?.preStop) problems.push("a preStop hook delays SIGTERM beyond the budget");
  if (!(delayMs > detectionMs))
    problems.push(`SHUTDOWN_DELAY_MS ${delayMs} does not exceed readiness detection ${detectionMs}`);
  if (!(periodMs >= delayMs + graceMs + minimumMarginMs)) {
    problems.push(`terminationGracePeriodSeconds ${periodMs / 1000}s is below delay + grace + margin`);
  }
  return problems;
}

/** The restricted Pod Security Standard, plus what SARK's image needs (a writable /tmp). */
function securityProblems(what: string, pod: V1PodSpec | undefined): string[] {
  const problems: string[] = [];
  const context = pod?.securityContext;
  if (
    context?.runAsNonRoot !== true ||
    context.runAsUser !== 1000 ||
    context.runAsGroup !== 1000 ||
    context.fsGroup !== 1000
  ) {
    problems.push(`${what}: pod does not run as 1000:1000 non-root with fsGroup 1000`);
  }
  if (context?.seccompProfile?.type !== "RuntimeDefault") problems.push(`${what}: no RuntimeDefault seccomp profile`);
  if (pod?.automountServiceAccountToken !== false) problems.push(`${what}: mounts a service account token`);
  for (const container of pod?.containers ?? []) {
    const c = container.securityContext;
    if (c?.allowPrivilegeEscalation !== false) problems.push(`${what}: privilege escalation allowed`);
    if (c?.readOnlyRootFilesystem !== true) problems.push(`${what}: root filesystem writable`);
    if (!c?.capabilities?.drop?.includes("ALL")) problems.push(`${what}: capabilities not dropped`);
    const tmp = container.volumeMounts?.find((mount) => mount.mountPath === "/tmp");
    if (!pod?.volumes?.some((volume) => volume.name === tmp?.name && volume.emptyDir))
      problems.push(`${what}: /tmp is not an emptyDir`);
  }
  return problems;
}

function podSpecs(objects: readonly KubeObject[]): [string, V1PodSpec | undefined][] {
  return [
    ["server", (findOne(objects, "Deployment") as unknown as V1Deployment).spec?.template.spec],
    ["migration", (findOne(objects, "Job") as unknown as V1Job).spec?.template.spec],
    ["test", (findOne(objects, "Pod") as unknown as V1Pod).spec],
  ];
}

describe.each([
  ["default", { set: minimalSecrets }],
  ["staging", { files: [valuesFiles.staging] }],
  ["prod", { files: [valuesFiles.prod] }],
])("the %s render's pods", (_name, options) => {
  let objects: KubeObject[];
  let deployment: V1Deployment;
  beforeAll(async () => {
    objects = await render(options);
    deployment = findOne(objects, "Deployment") as unknown as V1Deployment;
  });

  it("probe /ready, /health/live and /health/startup on port 8000 and roll out one pod at a time", () => {
    expect(probeProblems(deployment, findOne(objects, "Service") as unknown as V1Service)).toEqual([]);
  });

  it("shut down within the grace period, after readiness has noticed", () => {
    expect(shutdownProblems(deployment, findOne(objects, "ConfigMap", "sark"))).toEqual([]);
  });

  it("meet the restricted Pod Security Standard", () => {
    expect(podSpecs(objects).flatMap(([what, pod]) => securityProblems(what, pod))).toEqual([]);
  });
});

describe("the chart", () => {
  it("refuses a shutdown delay the readiness probe cannot notice in time", async () => {
    expect(await renderError({ set: { ...minimalSecrets, "shutdown.delaySeconds": 10 } })).toContain(
      "sark: shutdown.delaySeconds (10) must exceed probes.readiness periodSeconds × failureThreshold (10)",
    );
  });

  it("refuses a grace period without margin", async () => {
    expect(await renderError({ set: { ...minimalSecrets, "shutdown.marginSeconds": 0 } })).toContain(
      "at '/shutdown/marginSeconds': minimum: got 0, want 2",
    );
  });
});

describe("the pod checks", () => {
  let objects: KubeObject[];
  let deployment: V1Deployment;
  let service: V1Service;
  let configMap: KubeObject;
  beforeAll(async () => {
    objects = await render({ files: [valuesFiles.prod] });
    deployment = findOne(objects, "Deployment") as unknown as V1Deployment;
    service = findOne(objects, "Service") as unknown as V1Service;
    configMap = findOne(objects, "ConfigMap", "sark");
  });
  const changed = (change: (container: V1Container, deployment: V1Deployment) => void): V1Deployment => {
    const copy = structuredClone(deployment);
    change(serverContainer(copy), copy);
    return copy;
  };

  it("catch a probe on the wrong path or port, and a rollout that drops a pod", () => {
    const wrongPath = changed((c) => {
      if (c.readinessProbe?.httpGet) c.readinessProbe.httpGet.path = "/health";
    });
    expect(probeProblems(wrongPath, service)).toEqual(["readiness probe is not /ready"]);
    const wrongPort = changed((c) => {
      if (c.livenessProbe?.httpGet) c.livenessProbe.httpGet.port = "metrics";
    });
    expect(probeProblems(wrongPort, service)).toEqual(["liveness probe misses port 8000"]);
    const unavailable = changed((_c, d) => {
      if (d.spec?.strategy?.rollingUpdate) d.spec.strategy.rollingUpdate.maxUnavailable = 1;
    });
    expect(probeProblems(unavailable, service)).toEqual(["rollout is not maxSurge 1 / maxUnavailable 0"]);
  });

  it("catch a shutdown that outlasts the grace period or ends before readiness notices", () => {
    const short = changed((_c, d) => {
      if (d.spec?.template.spec) d.spec.template.spec.terminationGracePeriodSeconds = 30;
    });
    expect(shutdownProblems(short, configMap)).toEqual([
      "terminationGracePeriodSeconds 30s is below delay + grace + margin",
    ]);
    const slowProbe = changed((c) => {
      if (c.readinessProbe) c.readinessProbe.periodSeconds = 10;
    });
    expect(shutdownProblems(slowProbe, configMap)).toEqual([
      "SHUTDOWN_DELAY_MS 15000 does not exceed readiness detection 20000",
    ]);
    const overridden = changed((c) => {
      c.env = [{ name: "SHUTDOWN_GRACE_MS", value: "60000" }];
    });
    expect(shutdownProblems(overridden, configMap)).toEqual(["env overrides SHUTDOWN_*"]);
  });

  it("catch a pod that may escalate, write its root filesystem or mount a token", () => {
    const pod = structuredClone(deployment.spec?.template.spec);
    const container = pod?.containers[0];
    if (!pod || !container?.securityContext) throw new Error("no pod");
    container.securityContext.allowPrivilegeEscalation = true;
    container.securityContext.readOnlyRootFilesystem = false;
    pod.automountServiceAccountToken = true;
    pod.volumes = [];
    expect(securityProblems("server", pod)).toEqual([
      "server: mounts a service account token",
      "server: privilege escalation allowed",
      "server: root filesystem writable",
      "server: /tmp is not an emptyDir",
    ]);
  });
});
