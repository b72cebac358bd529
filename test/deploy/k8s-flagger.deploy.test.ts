import { beforeAll, describe, expect, it } from "vitest";
import { validateFlagger } from "./support/flagger-schema.js";
import {
  checkServerDeployment,
  checkWiring,
  deploymentSpec,
  ofKind,
  one,
  selects,
  serverDeployments,
} from "./support/k8s-checks.js";
import { renderOverlay } from "./support/kustomize.js";
import { isBuiltIn, type KubeObject, validateBuiltIn } from "./support/manifests.js";
import { sarkHttpSeries, sarkRoutes } from "./support/sark-source.js";

interface CanaryMetric {
  name: string;
  templateRef: { name: string };
  thresholdRange: { min?: number; max?: number };
  interval: string;
}

interface CanarySpec {
  targetRef: { kind: string; name: string };
  autoscalerRef: { kind: string; name: string };
  ingressRef: { kind: string; name: string };
  service: { port: number; portName: string; targetPort: string };
  analysis: { interval: string; threshold: number; maxWeight: number; stepWeight: number; metrics: CanaryMetric[] };
}

/** Labels added by the Prometheus scrape (PodMonitor or ServiceMonitor), not by SARK. */
const SCRAPE_LABELS = new Set(["namespace", "pod"]);

let objects: KubeObject[];
beforeAll(async () => {
  objects = await renderOverlay("deploy/k8s/overlays/production", { components: ["deploy/k8s/flagger"] });
});

const canary = () => one(objects, "Canary", "sark");
const canarySpec = () => canary().spec as CanarySpec;
const templates = () => ofKind(objects, "MetricTemplate");
const queryOf = (template: KubeObject) => (template.spec as { query: string }).query;

describe("Flagger component in the production overlay", () => {
  it("validates: built-in objects against Kubernetes, the Canary and MetricTemplates against their schema", async () => {
    const [builtIn, custom] = [objects.filter(isBuiltIn), objects.filter((o) => !isBuiltIn(o))];
    expect(custom.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      "Canary/sark",
      "MetricTemplate/sark-request-duration",
      "MetricTemplate/sark-request-success-rate",
    ]);
    expect((await Promise.all(builtIn.map(validateBuiltIn))).flat()).toEqual([]);
    expect(custom.flatMap(validateFlagger)).toEqual([]);
  });

  it("the schema rejects a misspelt field and a weight above 100", () => {
    const typo = structuredClone(canary()) as KubeObject & { spec: { analysis: Record<string, unknown> } };
    typo.spec.analysis.stepweight = 10;
    expect(validateFlagger(typo)).toEqual([
      "Canary/sark: /spec/analysis must NOT have additional properties (stepweight)",
    ]);
    const heavy = structuredClone(canary()) as KubeObject & { spec: CanarySpec };
    heavy.spec.analysis.maxWeight = 150;
    expect(validateFlagger(heavy)).toEqual(["Canary/sark: /spec/analysis/maxWeight must be <= 100"]);
    const template = structuredClone(templates()[0]) as KubeObject & { spec: Record<string, unknown> };
    template.spec.querry = template.spec.query;
    expect(validateFlagger(template).join()).toContain("(querry)");
  });

  it("carries the guide's analysis: every minute, 10% steps to 50%, rollback after 5 failed checks", () => {
    const { analysis } = canarySpec();
    expect(analysis).toMatchObject({ interval: "1m", threshold: 5, maxWeight: 50, stepWeight: 10 });
    expect(analysis.metrics.map((m) => [m.templateRef.name, m.thresholdRange, m.interval])).toEqual([
      ["sark-request-success-rate", { min: 99 }, "1m"],
      ["sark-request-duration", { max: 500 }, "1m"],
    ]);
  });

  it("names its checks apart from Flagger's builtin ones, which would ignore the templateRef", () => {
    for (const metric of canarySpec().analysis.metrics)
      expect(["request-success-rate", "request-duration"]).not.toContain(metric.name);
  });

  it("refers to objects that exist: the Deployment, its HPA, the Ingress, the templates and the port", () => {
    const spec = canarySpec();
    expect(one(objects, spec.targetRef.kind, spec.targetRef.name).metadata.name).toBe("sark");
    expect(one(objects, spec.autoscalerRef.kind, spec.autoscalerRef.name).metadata.name).toBe("sark");
    expect(one(objects, spec.ingressRef.kind, spec.ingressRef.name).metadata.name).toBe("sark");
    for (const metric of spec.analysis.metrics)
      expect(one(objects, "MetricTemplate", metric.templateRef.name)).toBeDefined();
    const ports = deploymentSpec(one(objects, "Deployment", "sark")).template.spec.containers[0]?.ports;
    expect(ports?.map((p) => p.name)).toContain(spec.service.targetPort);
  });

  it("leaves the Service sark to Flagger and points the PDB at Flagger's primary pods", () => {
    expect(ofKind(objects, "Service")).toEqual([]);
    // Exactly what Flagger supplies: the Service sark and the pods labelled sark-primary.
    expect(checkWiring(objects)).toEqual([
      "PodDisruptionBudget/sark: selects no SARK pods",
      "Ingress/sark: backend sark:http is not a Service port",
      "Ingress/sark-metrics-blocked: backend sark:http is not a Service port",
    ]);
    // Flagger's sark-primary pods carry the target's labels with the selector label renamed.
    const labels = { ...deploymentSpec(one(objects, "Deployment", "sark")).template.metadata?.labels };
    labels["app.kubernetes.io/name"] = "sark-primary";
    const pdb = one(objects, "PodDisruptionBudget", "sark").spec as {
      selector: { matchLabels: Record<string, string> };
    };
    expect(selects(pdb.selector.matchLabels, labels)).toBe(true);
    const policy = one(objects, "NetworkPolicy", "sark").spec as {
      podSelector: { matchLabels: Record<string, string> };
    };
    expect(selects(policy.podSelector.matchLabels, labels)).toBe(true);
  });

  it("keeps the server Deployment sound", () => {
    const routes = sarkRoutes();
    expect(serverDeployments(objects).flatMap((d) => checkServerDeployment(d, objects, routes))).toEqual([]);
  });
});

describe("the MetricTemplate queries", () => {
  let series: Map<string, Set<string>>;
  beforeAll(async () => {
    series = await sarkHttpSeries();
  });

  /** Each `metric{label…}` selector of a query: its metric name and the label names it matches on. */
  const selectorsOf = (query: string) =>
    [...query.matchAll(/([a-z_:][a-z0-9_:]*)\s*\{([^}]*)\}/gi)].map((m) => ({
      metric: m[1] ?? "",
      labels: [...(m[2] ?? "").matchAll(/([a-z_][a-z0-9_]*)\s*(?:=~|!~|!=|=)/gi)].map((l) => l[1] ?? ""),
    }));

  it("read only series SARK exports, on labels SARK or the scrape sets", () => {
    expect(series.get("sark_http_requests_total")).toEqual(new Set(["method", "route", "status"]));
    for (const template of templates()) {
      const selectors = selectorsOf(queryOf(template));
      expect(selectors.length, template.metadata.name).toBeGreaterThan(0);
      for (const { metric, labels } of selectors) {
        expect([...series.keys()], template.metadata.name).toContain(metric);
        for (const label of labels) expect([...(series.get(metric) ?? []), ...SCRAPE_LABELS]).toContain(label);
      }
    }
  });

  it("catch a query on a metric or label SARK does not export", () => {
    const wrongMetric = selectorsOf('sum(rate(http_requests_total{namespace="x"}[1m]))')[0];
    expect([...series.keys()]).not.toContain(wrongMetric?.metric);
    const wrongLabel = selectorsOf('sark_http_requests_total{code!~"5.."}')[0];
    expect([...(series.get("sark_http_requests_total") ?? []), ...SCRAPE_LABELS]).not.toContain(wrongLabel?.labels[0]);
  });

  it("scope to the canary's pods in the canary's namespace over Flagger's interval", () => {
    for (const template of templates()) {
      const query = queryOf(template);
      expect(query).toContain('namespace="{{ namespace }}"');
      expect(query).toContain('pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"');
      expect(query).toContain("[{{ interval }}]");
    }
    // The pod pattern matches the canary's pods, never sark-primary's.
    const pod = /^sark-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)$/;
    expect(pod.test("sark-7d9f8b6c5-x2k4z")).toBe(true);
    expect(pod.test("sark-primary-7d9f8b6c5-x2k4z")).toBe(false);
  });

  it("leave out only routes SARK really serves (probes, /metrics, the audit stream)", () => {
    const routes = sarkRoutes();
    for (const template of templates()) {
      const excluded = /route!~"([^"]+)"/.exec(queryOf(template))?.[1]?.split("|") ?? [];
      expect(excluded.length).toBeGreaterThan(0);
      for (const pattern of excluded) {
        const regex = new RegExp(`^${pattern}$`);
        expect(
          [...routes].some((route) => regex.test(route)),
          pattern,
        ).toBe(true);
      }
    }
  });

  it("give the success rate in percent and the p99 duration in milliseconds", () => {
    const success = queryOf(one(objects, "MetricTemplate", "sark-request-success-rate"));
    expect(success).toContain('status!~"5.."');
    expect(success.trim()).toMatch(/\* 100$/);
    const duration = queryOf(one(objects, "MetricTemplate", "sark-request-duration"));
    expect(duration).toMatch(/histogram_quantile\(\s*0\.99,/);
    expect(duration).toContain("sark_http_request_duration_seconds_bucket{");
    expect(duration).toContain("sum by (le)");
    expect(duration.trim()).toMatch(/\* 1000$/);
  });
});
