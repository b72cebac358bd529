/**
 * How the rendered objects refer to each other, which no schema checks: every selector selects
 * the server pods (and only them), every reference names an object that exists. Each check is
 * shown catching a broken render.
 */
import type {
  V1Deployment,
  V1Ingress,
  V1Job,
  V1NetworkPolicy,
  V1Pod,
  V1PodDisruptionBudget,
  V1Service,
  V2HorizontalPodAutoscaler,
} from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { findOne, releaseNamespace, render, valuesFiles } from "./support/helm-render.js";
import type { KubeObject } from "./support/manifests.js";

type Labels = Record<string, string> | undefined;
interface ServiceMonitor {
  spec: {
    selector: { matchLabels: Labels };
    namespaceSelector: { matchNames: string[] };
    endpoints: { port: string }[];
  };
}

/** True when every label the selector names is on the object with the same value. */
function selects(selector: Labels, labels: Labels): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}

/** Problems in how the objects of one render refer to each other; empty when wired right. */
function wiringProblems(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const of = <T>(kind: string) => objects.filter((o) => o.kind === kind) as unknown as T[];
  const deployment = findOne(objects, "Deployment") as unknown as V1Deployment;
  const service = findOne(objects, "Service") as unknown as V1Service;
  const serverPods = deployment.spec?.template.metadata?.labels;
  const otherPods = [
    ...of<V1Job>("Job").map((job) => job.spec?.template.metadata?.labels),
    ...of<V1Pod>("Pod").map((pod) => pod.metadata?.labels),
  ];
  const mustSelectServersOnly = (what: string, selector: Labels) => {
    if (!selects(selector, serverPods)) problems.push(`${what} does not select the server pods`);
    if (otherPods.some((labels) => selects(selector, labels))) problems.push(`${what} selects a migration or test pod`);
  };
  mustSelectServersOnly("Deployment selector", deployment.spec?.selector.matchLabels);
  mustSelectServersOnly("Service selector", service.spec?.selector);
  for (const constraint of deployment.spec?.template.spec?.topologySpreadConstraints ?? []) {
    mustSelectServersOnly(`spread over ${constraint.topologyKey}`, constraint.labelSelector?.matchLabels);
  }
  for (const pdb of of<V1PodDisruptionBudget>("PodDisruptionBudget"))
    mustSelectServersOnly("PDB", pdb.spec?.selector?.matchLabels);
  for (const policy of of<V1NetworkPolicy>("NetworkPolicy")) {
    for (const labels of [serverPods, ...otherPods]) {
      if (!selects(policy.spec?.podSelector?.matchLabels, labels))
        problems.push("NetworkPolicy leaves a pod of the release out");
    }
  }
  const portNames = (service.spec?.ports ?? []).map((port) => port.name);
  for (const hpa of of<V2HorizontalPodAutoscaler>("HorizontalPodAutoscaler")) {
    const target = hpa.spec?.scaleTargetRef;
    if (target?.kind !== "Deployment" || target.name !== deployment.metadata?.name)
      problems.push("HPA targets another object");
    if (deployment.spec?.replicas !== undefined) problems.push("Deployment sets replicas although the HPA owns them");
  }
  for (const ingress of of<V1Ingress>("Ingress")) {
    for (const path of ingress.spec?.rules?.flatMap((rule) => rule.http?.paths ?? []) ?? []) {
      const backend = path.backend.service;
      if (backend?.name !== service.metadata?.name || !portNames.includes(backend?.port?.name)) {
        problems.push("Ingress backend misses the Service");
      }
    }
  }
  for (const monitor of of<ServiceMonitor>("ServiceMonitor")) {
    if (!selects(monitor.spec.selector.matchLabels, service.metadata?.labels))
      problems.push("ServiceMonitor does not select the Service");
    if (!monitor.spec.namespaceSelector.matchNames.includes(releaseNamespace))
      problems.push("ServiceMonitor looks in another namespace");
    for (const endpoint of monitor.spec.endpoints) {
      if (!portNames.includes(endpoint.port))
        problems.push(`ServiceMonitor port ${endpoint.port} is not a Service port`);
    }
  }
  return problems;
}

/**
 * Hosts whose public Ingress routes /metrics to SARK: the path must be refused there by an Exact
 * /metrics path whose Ingress denies every source.
 */
function publicMetricsHosts(objects: readonly KubeObject[]): string[] {
  const ingresses = objects.filter((o) => o.kind === "Ingress") as unknown as V1Ingress[];
  const blocked = ingresses.flatMap((ingress) => {
    const denied =
      ingress.metadata?.annotations?.["nginx.ingress.kubernetes.io/denylist-source-range"]?.split(",") ?? [];
    if (!denied.includes("0.0.0.0/0") || !denied.includes("::/0")) return [];
    return (ingress.spec?.rules ?? []).filter((rule) =>
      rule.http?.paths.some((path) => path.path === "/metrics" && path.pathType === "Exact"),
    );
  });
  return ingresses
    .flatMap((ingress) => ingress.spec?.rules ?? [])
    .filter((rule) => rule.http?.paths.some((path) => path.path === "/" && path.pathType === "Prefix"))
    .map((rule) => rule.host ?? "*")
    .filter((host) => !blocked.some((rule) => (rule.host ?? "*") === host));
}

/** A deep copy of the render with the first object of a kind changed. */
function broken(objects: readonly KubeObject[], kind: string, change: (object: never) => void): KubeObject[] {
  const copy = structuredClone(objects) as KubeObject[];
  change(copy.find((object) => object.kind === kind) as never);
  return copy;
}

describe.each([
  ["staging", [valuesFiles.staging]],
  ["prod", [valuesFiles.prod]],
])("the %s render", (_name, files) => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await render({ files });
  });

  it("is wired together", () => {
    expect(wiringProblems(objects)).toEqual([]);
    expect(objects.filter((o) => o.kind === "HorizontalPodAutoscaler")).toHaveLength(1);
    expect(objects.filter((o) => o.kind === "PodDisruptionBudget")).toHaveLength(1);
  });

  it("keeps /metrics off the public host", () => {
    expect(objects.filter((o) => o.kind === "Ingress")).toHaveLength(2);
    expect(publicMetricsHosts(objects)).toEqual([]);
  });
});

describe("the public /metrics check", () => {
  it("reports a host that serves /metrics when blocking is turned off", async () => {
    const objects = await render({ files: [valuesFiles.prod], set: { "ingress.blockMetrics": false } });
    expect(publicMetricsHosts(objects)).toEqual(["sark.example.com"]);
  });
});

describe("the wiring check", () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await render({ files: [valuesFiles.prod] });
  });

  it.each<[string, string, (object: never) => void]>([
    [
      "Service selector does not select the server pods",
      "Service",
      (s: V1Service) => {
        if (s.spec?.selector) s.spec.selector["app.kubernetes.io/instance"] = "other";
      },
    ],
    [
      "Service selector selects a migration or test pod",
      "Service",
      (s: V1Service) => {
        delete s.spec?.selector?.["app.kubernetes.io/component"];
      },
    ],
    [
      "Deployment selector does not select the server pods",
      "Deployment",
      (d: V1Deployment) => {
        if (d.spec?.template.metadata?.labels) d.spec.template.metadata.labels["app.kubernetes.io/component"] = "web";
      },
    ],
    [
      "PDB does not select the server pods",
      "PodDisruptionBudget",
      (p: V1PodDisruptionBudget) => {
        if (p.spec?.selector) p.spec.selector.matchLabels = { app: "sark" };
      },
    ],
    [
      "HPA targets another object",
      "HorizontalPodAutoscaler",
      (h: V2HorizontalPodAutoscaler) => {
        if (h.spec) h.spec.scaleTargetRef.name = "sark-old";
      },
    ],
    [
      "Deployment sets replicas although the HPA owns them",
      "Deployment",
      (d: V1Deployment) => {
        if (d.spec) d.spec.replicas = 3;
      },
    ],
    [
      "ServiceMonitor does not select the Service",
      "ServiceMonitor",
      (m: ServiceMonitor) => {
        m.spec.selector.matchLabels = { "app.kubernetes.io/component": "metrics" };
      },
    ],
    [
      "ServiceMonitor port metrics is not a Service port",
      "ServiceMonitor",
      (m: ServiceMonitor) => {
        m.spec.endpoints = [{ port: "metrics" }];
      },
    ],
    [
      "Ingress backend misses the Service",
      "Ingress",
      (i: V1Ingress) => {
        const backend = i.spec?.rules?.[0]?.http?.paths[0]?.backend.service;
        if (backend) backend.port = { name: "https" };
      },
    ],
    [
      "NetworkPolicy leaves a pod of the release out",
      "NetworkPolicy",
      (n: V1NetworkPolicy) => {
        if (n.spec) n.spec.podSelector = { matchLabels: { "app.kubernetes.io/component": "server" } };
      },
    ],
  ])("reports: %s", (problem, kind, change) => {
    expect(wiringProblems(broken(objects, kind, change))).toContain(problem);
  });
});
