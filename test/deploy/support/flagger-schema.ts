/**
 * JSON Schemas for the Flagger resources in deploy/k8s/flagger, written from Flagger's documented
 * fields (docs.flagger.app: "How it works", "Metrics analysis", the NGINX tutorial), not copied
 * from its CRD. No models package for Flagger is published, and the API server prunes a custom
 * resource's unknown fields with no more than a warning, so a misspelt field would simply never
 * reach Flagger. These schemas cover the subset of fields this kit uses and reject every other key:
 * a typo such as `stepweight` fails here.
 */
import { Ajv, type ValidateFunction } from "ajv";

const name = { type: "string", pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$" } as const;
/** A Go duration, as Flagger parses `interval`: 30s, 1m, 1m30s. */
const duration = { type: "string", pattern: "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$" } as const;
const percent = { type: "integer", minimum: 0, maximum: 100 } as const;
const stringMap = { type: "object", additionalProperties: { type: "string" } } as const;

const metadata = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: { name, namespace: name, labels: stringMap, annotations: stringMap },
} as const;

const reference = (apiVersion: string, kinds: string[]) =>
  ({
    type: "object",
    required: ["apiVersion", "kind", "name"],
    additionalProperties: false,
    properties: { apiVersion: { const: apiVersion }, kind: { enum: kinds }, name },
  }) as const;

const canaryMetric = {
  type: "object",
  required: ["name", "templateRef", "thresholdRange", "interval"],
  additionalProperties: false,
  properties: {
    name: { type: "string", minLength: 1 },
    templateRef: {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: { name, namespace: name },
    },
    thresholdRange: {
      type: "object",
      minProperties: 1,
      additionalProperties: false,
      properties: { min: { type: "number" }, max: { type: "number" } },
    },
    interval: duration,
  },
} as const;

const canary = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: "flagger.app/v1beta1" },
    kind: { const: "Canary" },
    metadata,
    spec: {
      type: "object",
      required: ["targetRef", "service", "analysis"],
      additionalProperties: false,
      properties: {
        provider: { type: "string" },
        targetRef: reference("apps/v1", ["Deployment", "DaemonSet"]),
        autoscalerRef: reference("autoscaling/v2", ["HorizontalPodAutoscaler"]),
        ingressRef: reference("networking.k8s.io/v1", ["Ingress"]),
        progressDeadlineSeconds: { type: "integer", minimum: 1 },
        service: {
          type: "object",
          required: ["port"],
          additionalProperties: false,
          properties: {
            port: { type: "integer", minimum: 1, maximum: 65535 },
            portName: { type: "string" },
            targetPort: { type: ["integer", "string"] },
          },
        },
        analysis: {
          type: "object",
          required: ["interval", "threshold", "maxWeight", "stepWeight", "metrics"],
          additionalProperties: false,
          properties: {
            interval: duration,
            threshold: { type: "integer", minimum: 1 },
            maxWeight: percent,
            stepWeight: percent,
            metrics: { type: "array", minItems: 1, items: canaryMetric },
          },
        },
      },
    },
  },
} as const;

const metricTemplate = {
  type: "object",
  required: ["apiVersion", "kind", "metadata", "spec"],
  additionalProperties: false,
  properties: {
    apiVersion: { const: "flagger.app/v1beta1" },
    kind: { const: "MetricTemplate" },
    metadata,
    spec: {
      type: "object",
      required: ["provider", "query"],
      additionalProperties: false,
      properties: {
        provider: {
          type: "object",
          required: ["type", "address"],
          additionalProperties: false,
          properties: {
            type: { const: "prometheus" },
            address: { type: "string", pattern: "^https?://[^\\s]+$" },
          },
        },
        query: { type: "string", minLength: 1 },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
const validators: Record<string, ValidateFunction> = {
  Canary: ajv.compile(canary),
  MetricTemplate: ajv.compile(metricTemplate),
};

/** Validates a Flagger object; one message per problem, empty when valid. */
export function validateFlagger(object: { kind: string; metadata: { name: string } }): string[] {
  const label = `${object.kind}/${object.metadata.name}`;
  const validate = validators[object.kind];
  if (validate === undefined) return [`${label}: no Flagger schema for ${object.kind}`];
  if (validate(object)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${label}: ${error.instancePath || "/"} ${error.message}${
        error.keyword === "additionalProperties" ? ` (${String(error.params.additionalProperty)})` : ""
      }`,
  );
}
