import { beforeAll, describe, expect, it } from "vitest";
import {
  checkPodSecurity,
  checkServerDeployment,
  checkWiring,
  deploymentSpec,
  ofKind,
  one,
  type PodSpec,
  selectedDeployments,
  serverDeployments,
} from "./support/k8s-checks.js";
import { readManifest, readManifests, render, renderOverlay } from "./support/kustomize.js";
import { isBuiltIn, type KubeObject, validateBuiltIn } from "./support/manifests.js";
import { sarkRoutes } from "./support/sark-source.js";

const routes = sarkRoutes();

type Labels = Record<string, string>;
const selectorOf = (service: KubeObject) => (service.spec as { selector: Labels }).selector;
const names = (objects: KubeObject[], kind: string) => ofKind(objects, kind).map((o) => o.metadata.name);

/** What every composition must satisfy: schemas, the server checks on each copy, the wiring. */
async function expectSound(objects: KubeObject[]) {
  expect(objects.every(isBuiltIn)).toBe(true);
  expect((await Promise.all(objects.map(validateBuiltIn))).flat()).toEqual([]);
  expect(serverDeployments(objects).flatMap((d) => checkServerDeployment(d, objects, routes))).toEqual([]);
  expect(checkWiring(objects)).toEqual([]);
}

describe.each(["staging", "production"])("blue-green component in the %s overlay", (overlay) => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await renderOverlay(`deploy/k8s/overlays/${overlay}`, { components: ["deploy/k8s/blue-green"] });
  });

  it("replaces the rolling Deployment and its HPA with a blue and a green copy, each autoscaled", () => {
    expect(names(objects, "Deployment")).toEqual(["sark-blue", "sark-green"]);
    const targets = ofKind(objects, "HorizontalPodAutoscaler").map(
      (h) => `${h.metadata.name}->${(h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name}`,
    );
    expect(targets).toEqual(["sark-blue->sark-blue", "sark-green->sark-green"]);
    expect(names(objects, "Service")).toEqual(["sark", "sark-preview"]);
  });

  it("validates and passes every structural check", async () => {
    await expectSound(objects);
  });

  it("blue and green differ only in colour and name, and carry the overlay's settings", () => {
    const blue = one(objects, "Deployment", "sark-blue");
    const green = one(objects, "Deployment", "sark-green");
    expect(JSON.parse(JSON.stringify(green).replaceAll("green", "blue"))).toEqual(blue);
    const configMap = ofKind(objects, "ConfigMap")[0]?.metadata.name;
    expect(JSON.stringify(blue)).toContain(`"configMapRef":{"name":"${configMap}"}`);
    const cpu = overlay === "production" ? "1" : "250m";
    expect(deploymentSpec(blue).template.spec.containers[0]).toMatchObject({ resources: { requests: { cpu } } });
  });

  it("the colour is part of each copy's selector, so a selector naming one colour picks exactly it", () => {
    const deployments = serverDeployments(objects);
    for (const color of ["blue", "green"]) {
      const spec = deploymentSpec(one(objects, "Deployment", `sark-${color}`));
      expect(spec.selector.matchLabels?.["sark.io/color"]).toBe(color);
      // What scripts/blue-green.sh switch does to the Service sark.
      const live = { ...selectorOf(one(objects, "Service", "sark")), "sark.io/color": color };
      expect(selectedDeployments(live, deployments)).toEqual([`sark-${color}`]);
    }
  });

  it("neither Service names a colour: the script owns it, so re-applying the manifests never moves traffic", () => {
    for (const service of ["sark", "sark-preview"]) {
      expect(selectorOf(one(objects, "Service", service))).not.toHaveProperty("sark.io/color");
      expect(selectedDeployments(selectorOf(one(objects, "Service", service)), serverDeployments(objects))).toEqual([
        "sark-blue",
        "sark-green",
      ]);
    }
  });
});

describe("NGINX canary component in the production overlay", () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await renderOverlay("deploy/k8s/overlays/production", { components: ["deploy/k8s/canary"] });
  });
  const ingress = (name: string) =>
    one(objects, "Ingress", name) as KubeObject & {
      spec: { tls?: unknown; rules: { host: string; http: { paths: { backend: { service: { name: string } } }[] } }[] };
    };

  it("adds sark-canary (Deployment, HPA, Service, Ingress) beside the primary", async () => {
    expect(names(objects, "Deployment")).toEqual(["sark", "sark-canary"]);
    expect(names(objects, "Ingress")).toEqual(["sark", "sark-metrics-blocked", "sark-canary"]);
    await expectSound(objects);
  });

  it("the primary Service never selects canary pods, and the canary Service only them", () => {
    const deployments = serverDeployments(objects);
    expect(selectedDeployments(selectorOf(one(objects, "Service", "sark")), deployments)).toEqual(["sark"]);
    expect(selectedDeployments(selectorOf(one(objects, "Service", "sark-canary")), deployments)).toEqual([
      "sark-canary",
    ]);
  });

  it("the canary Ingress is an ingress-nginx canary at weight 0 on the primary's host", () => {
    const canary = ingress("sark-canary");
    expect(canary.metadata.annotations).toMatchObject({
      "nginx.ingress.kubernetes.io/canary": "true",
      "nginx.ingress.kubernetes.io/canary-weight": "0",
    });
    expect(canary.spec.rules.map((r) => r.host)).toEqual(ingress("sark").spec.rules.map((r) => r.host));
    expect(canary.spec.rules[0]?.http.paths[0]?.backend.service.name).toBe("sark-canary");
    expect(canary.spec.tls).toBeUndefined();
  });

  it("the canary differs from the primary only in name and instance label", () => {
    const primary = one(objects, "Deployment", "sark");
    const canary = one(objects, "Deployment", "sark-canary");
    expect(JSON.parse(JSON.stringify(canary).replaceAll("sark-canary", "sark"))).toEqual(primary);
  });
});

describe("the migration Job (deploy/k8s/jobs/migrate.yaml)", () => {
  const job = readManifest("deploy/k8s/jobs/migrate.yaml");
  const pod = () => (job.spec as { template: { spec: PodSpec } }).template.spec;

  it("is one valid Job named as the documented wait command expects", async () => {
    expect(job.kind).toBe("Job");
    expect(job.metadata).toMatchObject({ name: "sark-migrate", namespace: "sark" });
    expect(await validateBuiltIn(job)).toEqual([]);
  });

  it("runs `migrate up` on the server's image with the server's Secret, under the same pod security", () => {
    expect(pod().containers[0]).toMatchObject({
      args: ["migrate", "up"],
      image: "registry.example.com/security/sark:0.1.0",
      envFrom: [{ secretRef: { name: "sark-secrets" } }],
    });
    expect(checkPodSecurity("Job/sark-migrate", pod(), { uid: 1000 })).toEqual([]);
  });
});

describe("the maintenance page (deploy/k8s/maintenance-page.yaml)", () => {
  const objects = readManifests("deploy/k8s/maintenance-page.yaml");

  it("is a valid ConfigMap, Deployment, Service and Ingress", async () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ConfigMap/sark-maintenance",
      "Deployment/sark-maintenance",
      "Service/sark-maintenance",
      "Ingress/sark",
    ]);
    expect((await Promise.all(objects.map(validateBuiltIn))).flat()).toEqual([]);
  });

  it("runs under the restricted pod security, and its Service and Ingress reach it", () => {
    const deployment = one(objects, "Deployment", "sark-maintenance");
    expect(checkPodSecurity("Deployment/sark-maintenance", deploymentSpec(deployment).template.spec)).toEqual([]);
    expect(selectedDeployments(selectorOf(one(objects, "Service", "sark-maintenance")), [deployment])).toEqual([
      "sark-maintenance",
    ]);
    expect(checkWiring(objects)).toEqual([]);
  });

  it("takes over SARK's Ingress: same name, class, host and certificate as the production overlay's", async () => {
    const production = await render("deploy/k8s/overlays/production");
    const takeover = one(objects, "Ingress", "sark");
    const sark = one(production, "Ingress", "sark");
    const { rules: takeoverRules, ...takeoverRest } = takeover.spec as { rules: { host: string }[] };
    const { rules: sarkRules, ...sarkRest } = sark.spec as { rules: { host: string }[] };
    expect(takeoverRest).toEqual(sarkRest);
    expect(takeoverRules.map((r) => r.host)).toEqual(sarkRules.map((r) => r.host));
    expect(takeover.metadata.annotations).toEqual(sark.metadata.annotations);
  });

  it("answers every path 503 with Retry-After, the page and the JSON body it names both present", () => {
    const data = one(objects, "ConfigMap", "sark-maintenance").data as Record<string, string>;
    const conf = data["nginx.conf"] ?? "";
    expect(conf).toMatch(/location \/ \{\s*return 503;\s*\}/);
    expect(conf).toContain("add_header Retry-After 300 always;");
    for (const body of conf.matchAll(/\/(maintenance\.(?:html|json));/g)) expect(data).toHaveProperty(body[1] ?? "");
    expect(JSON.parse(data["maintenance.json"] ?? "")).toMatchObject({ error: { code: "MAINTENANCE" } });
  });
});

describe("the example Secret (deploy/k8s/secret.example.yaml)", () => {
  const secret = readManifest("deploy/k8s/secret.example.yaml");

  it("is a valid Secret sark-secrets with every key SARK's pods and the migration Job read", async () => {
    expect(secret.metadata).toMatchObject({ name: "sark-secrets", namespace: "sark" });
    expect(await validateBuiltIn(secret)).toEqual([]);
    expect(Object.keys(secret.stringData as object).sort()).toEqual([
      "AUDIT_CHECKPOINT_KEY",
      "DATABASE_URL",
      "JWT_SECRET_KEY",
      "REDIS_URL",
      "SARK_ADMIN_PASSWORD",
    ]);
  });
});
