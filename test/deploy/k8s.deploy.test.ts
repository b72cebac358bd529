import { beforeAll, describe, expect, it } from "vitest";
import {
  checkServerDeployment,
  checkWiring,
  deploymentSpec,
  one,
  type PodSpec,
  serverDeployments,
} from "./support/k8s-checks.js";
import { render, renderOverlay } from "./support/kustomize.js";
import { isBuiltIn, type KubeObject, validateBuiltIn } from "./support/manifests.js";
import { sarkRoutes } from "./support/sark-source.js";

const routes = sarkRoutes();
const IMAGE = "registry.example.com/security/sark:0.1.0";

/** Every structural problem of a rendered set: each server Deployment, then the wiring between objects. */
function structuralProblems(objects: KubeObject[], knownRoutes = routes): string[] {
  return [
    ...serverDeployments(objects).flatMap((d) => checkServerDeployment(d, objects, knownRoutes)),
    ...checkWiring(objects),
  ];
}

describe.each(["base", "overlays/staging", "overlays/production"])("kubectl kustomize deploy/k8s/%s", (dir) => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await render(`deploy/k8s/${dir}`);
  });

  it("renders SARK's objects, all in namespace sark, without the Secret", () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name.replace(/-[a-z0-9]{10}$/, "-<hash>")}`).sort()).toEqual([
      "ConfigMap/sark-config-<hash>",
      "Deployment/sark",
      "HorizontalPodAutoscaler/sark",
      "Ingress/sark",
      "Ingress/sark-metrics-blocked",
      "Namespace/sark",
      "NetworkPolicy/sark",
      "PodDisruptionBudget/sark",
      "Service/sark",
      "ServiceAccount/sark",
    ]);
    for (const object of objects.filter((o) => o.kind !== "Namespace")) expect(object.metadata.namespace).toBe("sark");
  });

  it("validates every object against the Kubernetes schema, with no unknown field", async () => {
    expect(objects.every(isBuiltIn)).toBe(true);
    expect((await Promise.all(objects.map(validateBuiltIn))).flat()).toEqual([]);
  });

  it("passes the structural checks", () => {
    expect(serverDeployments(objects).map((d) => d.metadata.name)).toEqual(["sark"]);
    expect(structuralProblems(objects)).toEqual([]);
  });

  it("labels every object as part of sark, and the server with the contract's labels", () => {
    for (const object of objects.filter((o) => o.kind !== "Namespace" && o.kind !== "ConfigMap"))
      expect(object.metadata.labels?.["app.kubernetes.io/part-of"], object.kind).toBe("sark");
    expect(deploymentSpec(one(objects, "Deployment", "sark")).template.metadata?.labels).toEqual({
      "app.kubernetes.io/name": "sark",
      "app.kubernetes.io/instance": "sark",
      "app.kubernetes.io/component": "server",
      "app.kubernetes.io/part-of": "sark",
    });
  });
});

describe("the overlays", () => {
  const config = (objects: KubeObject[]) =>
    objects.find((o) => o.kind === "ConfigMap")?.data as Record<string, string> | undefined;
  const hpa = (objects: KubeObject[]) => one(objects, "HorizontalPodAutoscaler", "sark").spec;
  const ingress = (objects: KubeObject[]) =>
    one(objects, "Ingress", "sark") as KubeObject & {
      spec: { rules: { host: string }[]; tls: { hosts: string[] }[] };
    };
  const container = (objects: KubeObject[]) => deploymentSpec(one(objects, "Deployment", "sark")).template.spec;

  it("production: its image, environment, one core per replica, 3-12 replicas and its host", async () => {
    const objects = await render("deploy/k8s/overlays/production");
    expect(container(objects).containers[0]?.image).toBe(IMAGE);
    expect(config(objects)).toMatchObject({ ENVIRONMENT: "production", TRUST_PROXY: "1", READ_ONLY_MODE: "false" });
    expect(container(objects).containers[0]).toMatchObject({ resources: { requests: { cpu: "1" } } });
    expect(hpa(objects)).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
    expect(ingress(objects).spec.rules[0]?.host).toBe("sark.example.com");
    expect(ingress(objects).spec.tls[0]?.hosts).toEqual(["sark.example.com"]);
  });

  it("staging: its environment, its host and a staging certificate", async () => {
    const objects = await render("deploy/k8s/overlays/staging");
    expect(config(objects)).toMatchObject({ ENVIRONMENT: "staging" });
    expect(hpa(objects)).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    expect(ingress(objects).spec.rules[0]?.host).toBe("sark.staging.example.com");
    expect(ingress(objects).spec.tls[0]?.hosts).toEqual(["sark.staging.example.com"]);
    expect(ingress(objects).metadata.annotations?.["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-staging");
  });

  it("a configuration change renames the ConfigMap the pods read, so applying it rolls them", async () => {
    const before = await render("deploy/k8s/overlays/production");
    const after = await renderOverlay("deploy/k8s/overlays/production", {
      edit: (k) => k.configMapGenerator?.[0]?.literals?.push("LOG_LEVEL=debug"),
    });
    const name = (objects: KubeObject[]) => objects.find((o) => o.kind === "ConfigMap")?.metadata.name;
    const referenced = (objects: KubeObject[]) => JSON.stringify(container(objects).containers[0]);
    expect(name(after)).not.toBe(name(before));
    expect(referenced(after)).toContain(`"${name(after)}"`);
    expect(config(after)?.LOG_LEVEL).toBe("debug");
  });
});

type Mutation = [string, (objects: KubeObject[]) => void, RegExp];

const server = (objects: KubeObject[]) => deploymentSpec(one(objects, "Deployment", "sark"));
const pod = (objects: KubeObject[]): PodSpec => server(objects).template.spec;
const sark = (objects: KubeObject[]) => {
  const container = pod(objects).containers[0];
  if (container === undefined) throw new Error("no container");
  return container;
};
const spec = (objects: KubeObject[], kind: string) => one(objects, kind, "sark").spec as Record<string, unknown>;
const config = (objects: KubeObject[]) => objects.find((o) => o.kind === "ConfigMap") as KubeObject;
const ingressPort = (objects: KubeObject[]) => {
  const rules = spec(objects, "Ingress").rules as { http: { paths: { backend: { service: { port: object } } }[] } }[];
  return rules[0]?.http.paths[0]?.backend.service.port ?? {};
};

const mutations: Mutation[] = [
  [
    "a selector that misses the pods",
    (o) => Object.assign(server(o).selector.matchLabels ?? {}, { tier: "x" }),
    /its selector does not match/,
  ],
  [
    "maxSurge 2",
    (o) => Object.assign(server(o).strategy?.rollingUpdate ?? {}, { maxSurge: 2 }),
    /maxSurge 1 and maxUnavailable 0/,
  ],
  [
    "maxUnavailable 1",
    (o) => Object.assign(server(o).strategy?.rollingUpdate ?? {}, { maxUnavailable: 1 }),
    /maxSurge 1/,
  ],
  [
    "readiness on /health",
    (o) => Object.assign(sark(o).readinessProbe?.httpGet ?? {}, { path: "/health" }),
    /readinessProbe should GET \/ready/,
  ],
  [
    "liveness on the database-checking path",
    (o) => Object.assign(sark(o).livenessProbe?.httpGet ?? {}, { path: "/ready" }),
    /livenessProbe should GET \/health\/live/,
  ],
  [
    "startup probe on port 9000",
    (o) => Object.assign(sark(o).startupProbe?.httpGet ?? {}, { port: 9000 }),
    /port 9000 is not SARK's port/,
  ],
  [
    "the container port moved",
    (o) => Object.assign(sark(o).ports?.[0] ?? {}, { containerPort: 8080 }),
    /container port 8000 named http/,
  ],
  [
    "root allowed",
    (o) => Object.assign(pod(o).securityContext ?? {}, { runAsNonRoot: false }),
    /runAsNonRoot is not true/,
  ],
  ["another user", (o) => Object.assign(pod(o).securityContext ?? {}, { runAsUser: 0 }), /uid\/gid 1000/],
  [
    "no seccomp profile",
    (o) => Object.assign(pod(o).securityContext ?? {}, { seccompProfile: { type: "Unconfined" } }),
    /seccomp/,
  ],
  [
    "a service account token",
    (o) => Object.assign(pod(o), { automountServiceAccountToken: true }),
    /service account token/,
  ],
  [
    "privilege escalation",
    (o) => Object.assign(sark(o).securityContext ?? {}, { allowPrivilegeEscalation: true }),
    /allowPrivilegeEscalation/,
  ],
  [
    "a writable root",
    (o) => Object.assign(sark(o).securityContext ?? {}, { readOnlyRootFilesystem: false }),
    /root filesystem is writable/,
  ],
  [
    "capabilities kept",
    (o) => Object.assign(sark(o).securityContext ?? {}, { capabilities: { drop: [] } }),
    /drop ALL/,
  ],
  ["no /tmp volume", (o) => Object.assign(pod(o), { volumes: [] }), /\/tmp is not a writable emptyDir/],
  [
    "a grace period too short for the drain",
    (o) => Object.assign(pod(o), { terminationGracePeriodSeconds: 30 }),
    /terminationGracePeriodSeconds is under/,
  ],
  [
    "a delay the readiness probe outlasts",
    (o) => Object.assign(config(o).data as object, { SHUTDOWN_DELAY_MS: "8000" }),
    /does not exceed readiness detection/,
  ],
  [
    "the ConfigMap missing",
    (o) => o.splice(o.indexOf(config(o)), 1),
    /ConfigMap sark-config-\w+ is not in the manifests/,
  ],
  [
    "a Service selecting nothing",
    (o) => Object.assign(spec(o, "Service").selector as object, { tier: "x" }),
    /Service\/sark: selects no pods/,
  ],
  [
    "a Service aimed at a port number",
    (o) => Object.assign((spec(o, "Service").ports as object[])[0] ?? {}, { targetPort: 8000 }),
    /no port http/,
  ],
  [
    "a PDB selecting nothing",
    (o) =>
      Object.assign((spec(o, "PodDisruptionBudget").selector as { matchLabels: object }).matchLabels, { tier: "x" }),
    /PodDisruptionBudget\/sark: selects no SARK pods/,
  ],
  [
    "an HPA aimed elsewhere",
    (o) => Object.assign(spec(o, "HorizontalPodAutoscaler").scaleTargetRef as object, { name: "web" }),
    /targets Deployment\/web/,
  ],
  [
    "an HPA allowing one replica",
    (o) => Object.assign(spec(o, "HorizontalPodAutoscaler"), { minReplicas: 1 }),
    /2 <= minReplicas/,
  ],
  ["an HPA on CPU alone", (o) => (spec(o, "HorizontalPodAutoscaler").metrics as unknown[]).pop(), /CPU and memory/],
  [
    "a NetworkPolicy missing the pods",
    (o) => Object.assign((spec(o, "NetworkPolicy").podSelector as { matchLabels: object }).matchLabels, { tier: "x" }),
    /does not cover Deployment\/sark/,
  ],
  [
    "an Ingress aimed at a missing port",
    (o) => Object.assign(ingressPort(o), { name: "web" }),
    /backend sark:web is not a Service port/,
  ],
];

describe("each structural check catches a broken manifest", () => {
  let production: KubeObject[];
  beforeAll(async () => {
    production = await render("deploy/k8s/overlays/production");
  });

  it.each(mutations)("%s", (_name, mutate, problem) => {
    const broken = structuredClone(production);
    mutate(broken);
    expect(structuralProblems(broken)).toContainEqual(expect.stringMatching(problem));
  });

  it("a probe on a path SARK does not serve", () => {
    const withoutReady = new Set([...routes].filter((r) => r !== "/ready"));
    expect(structuralProblems(production, withoutReady)).toEqual([
      "Deployment/sark: readinessProbe path /ready is not a route SARK serves",
    ]);
  });

  it("a misspelt field fails schema validation", async () => {
    const broken = structuredClone(production);
    const container = sark(broken) as unknown as Record<string, unknown>;
    container.readinessprobe = container.readinessProbe;
    expect(await validateBuiltIn(one(broken, "Deployment", "sark"))).toEqual([
      "Deployment/sark: unknown field spec.template.spec.containers[0].readinessprobe",
    ]);
  });
});
