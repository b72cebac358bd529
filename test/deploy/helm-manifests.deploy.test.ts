/**
 * Every rendered object is valid for its API: built-in kinds against the Kubernetes schemas with
 * unknown fields refused (validateBuiltIn), the Prometheus Operator's ServiceMonitor and
 * PrometheusRule against its models, and the alert rules against SARK's real metric names.
 */
import { PrometheusRule, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import type { IEndpoint } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Endpoint";
import type { INamespaceSelector } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/NamespaceSelector";
import type { IPrometheusRuleSpec } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRuleSpec";
import type { IRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/Rule";
import type { IRuleGroup } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/RuleGroup";
import type { IServiceMonitorSpec } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitorSpec";
import { beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/platform/metrics.js";
import { findOne, minimalSecrets, render, valuesFiles } from "./support/helm-render.js";
import { describe as describeObject, isBuiltIn, type KubeObject, validateBuiltIn } from "./support/manifests.js";

/**
 * The fields the chart may render in its custom resources. Their models let unknown fields through,
 * so the test refuses any other key, and `satisfies` makes tsc refuse a name the Prometheus
 * Operator's types do not have.
 */
const allowedFields = {
  serviceMonitorSpec: [
    "selector",
    "namespaceSelector",
    "endpoints",
  ] as const satisfies readonly (keyof IServiceMonitorSpec)[],
  endpoint: ["port", "path", "interval", "scrapeTimeout"] as const satisfies readonly (keyof IEndpoint)[],
  namespaceSelector: ["matchNames"] as const satisfies readonly (keyof INamespaceSelector)[],
  prometheusRuleSpec: ["groups"] as const satisfies readonly (keyof IPrometheusRuleSpec)[],
  ruleGroup: ["name", "rules"] as const satisfies readonly (keyof IRuleGroup)[],
  rule: ["alert", "expr", "for", "labels", "annotations"] as const satisfies readonly (keyof IRule)[],
};

function unknownKeys(where: string, value: unknown, allowed: readonly string[]): string[] {
  return Object.keys(value as object)
    .filter((key) => !allowed.includes(key))
    .map((key) => `${where}.${key}`);
}

/** Validates a custom resource with its model and refuses fields outside `allowedFields`. */
function validateCustom(object: KubeObject): string[] {
  const problems: string[] = [];
  const spec = object.spec as Record<string, unknown>;
  try {
    if (object.kind === "ServiceMonitor") new ServiceMonitor(object as never).validate();
    else if (object.kind === "PrometheusRule") new PrometheusRule(object as never).validate();
    else return [`${describeObject(object)}: no schema`];
  } catch (error) {
    problems.push(`${describeObject(object)}: ${(error as Error).message}`);
  }
  if (object.kind === "ServiceMonitor") {
    problems.push(...unknownKeys("spec", spec, allowedFields.serviceMonitorSpec));
    problems.push(...unknownKeys("spec.namespaceSelector", spec.namespaceSelector, allowedFields.namespaceSelector));
    for (const endpoint of spec.endpoints as object[])
      problems.push(...unknownKeys("spec.endpoints[]", endpoint, allowedFields.endpoint));
  } else {
    problems.push(...unknownKeys("spec", spec, allowedFields.prometheusRuleSpec));
    for (const group of spec.groups as { rules: object[] }[]) {
      problems.push(...unknownKeys("spec.groups[]", group, allowedFields.ruleGroup));
      for (const rule of group.rules) problems.push(...unknownKeys("spec.groups[].rules[]", rule, allowedFields.rule));
    }
  }
  return problems;
}

/** `sark_*` series an expression reads, with the label names it matches on, that SARK does not export. */
function unknownSeries(expression: string): string[] {
  const registry = createMetrics({ collectDefaults: false }).registry;
  const problems: string[] = [];
  for (const match of expression.matchAll(/\b(sark_[a-z_]+?)(_bucket|_sum|_count)?\s*\{([^}]*)\}/g)) {
    const [, name = "", suffix, matchers = ""] = match;
    const metric = registry.getSingleMetric(name) as unknown as { labelNames: string[] } | undefined;
    if (!metric) {
      problems.push(`unknown metric ${name}`);
      continue;
    }
    const labels = [...matchers.matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1] ?? "");
    // job and namespace come from the scrape; a histogram's buckets add le.
    const scrape = suffix === "_bucket" ? ["job", "namespace", "le"] : ["job", "namespace"];
    const extra = labels.filter((label) => !scrape.includes(label) && !metric.labelNames.includes(label));
    if (extra.length > 0) problems.push(`${name} has no label ${extra.join(", ")}`);
  }
  return problems;
}

describe.each([
  ["default", { set: minimalSecrets }],
  ["staging", { files: [valuesFiles.staging] }],
  ["prod", { files: [valuesFiles.prod] }],
])("the %s render", (_name, options) => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await render(options);
  });

  it("holds only valid built-in objects, unknown fields refused", async () => {
    const problems = await Promise.all(objects.filter(isBuiltIn).map(validateBuiltIn));
    expect(problems.flat()).toEqual([]);
  });

  it("holds valid Prometheus Operator resources, within the fields the chart uses", () => {
    expect(objects.filter((o) => !isBuiltIn(o)).flatMap(validateCustom)).toEqual([]);
  });
});

describe("the prod render's monitoring", () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await render({ files: [valuesFiles.prod] });
  });

  it("holds the core alerts, on series SARK exports", () => {
    const rule = findOne(objects, "PrometheusRule");
    const rules = (rule.spec as { groups: { rules: { alert: string; expr: string; for: string }[] }[] }).groups.flatMap(
      (g) => g.rules,
    );
    expect(rules.map((r) => [r.alert, r.for])).toEqual([
      ["SarkDown", "2m"],
      ["SarkHighErrorRate", "5m"],
      ["SarkElevatedErrorRate", "10m"],
      ["SarkHighLatency", "10m"],
    ]);
    expect(rules.map((r) => r.expr.match(/> ([\d.]+)\s*$/)?.[1])).toEqual([undefined, "0.05", "0.01", "0.5"]);
    for (const r of rules) expect(r.expr).toContain('job="sark", namespace="sark"');
    expect(rules.flatMap((r) => unknownSeries(r.expr))).toEqual([]);
  });

  it("is only rendered when asked for (the CRDs may be missing)", async () => {
    const plain = await render({ files: [valuesFiles.staging] });
    expect(plain.filter((o) => !isBuiltIn(o))).toEqual([]);
  });
});

describe("the custom resource checks", () => {
  let monitor: KubeObject;
  beforeAll(async () => {
    monitor = findOne(await render({ files: [valuesFiles.prod] }), "ServiceMonitor");
  });

  it("catch a wrong type and a misspelt field", () => {
    const copy = structuredClone(monitor) as KubeObject & { spec: { endpoints: Record<string, unknown>[] } };
    copy.spec.endpoints = [{ port: 8000, intervall: "30s" }];
    expect(validateCustom(copy)).toEqual([
      expect.stringMatching(/^ServiceMonitor\/sark: .*port must be string/),
      "spec.endpoints[].intervall",
    ]);
  });

  it("catch a metric or label SARK does not export", () => {
    expect(unknownSeries('rate(sark_http_requests_total{job="x", code=~"5.."}[5m])')).toEqual([
      "sark_http_requests_total has no label code",
    ]);
    expect(unknownSeries('rate(sark_requests_total{job="x"}[5m])')).toEqual(["unknown metric sark_requests_total"]);
    expect(unknownSeries('sark_http_requests_total{job="x", le="0.5"}')).toEqual([
      "sark_http_requests_total has no label le",
    ]);
    expect(unknownSeries('sark_http_request_duration_seconds_bucket{job="x", le="0.5"}')).toEqual([]);
  });
});
