import { describe, expect, it } from "vitest";
import { type KubeObject, parseManifests, validateBuiltIn } from "./support/manifests.js";

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: sark }
spec:
  selector: { matchLabels: { app: sark } }
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: sark } }
    spec:
      containers:
        - name: sark
          image: sark:1
          ports: [{ name: http, containerPort: 8000 }]
          readinessProbe: { httpGet: { path: /ready, port: http } }
          resources: { limits: { memory: 512Mi } }
`;

function only(yaml: string): KubeObject {
  const objects = parseManifests(yaml);
  expect(objects).toHaveLength(1);
  return objects[0] as KubeObject;
}

describe("the manifest validator", () => {
  it("accepts a valid Deployment", async () => {
    const object = only(`---\n${deployment}\n---\n`);
    expect(object.kind).toBe("Deployment");
    expect(await validateBuiltIn(object)).toEqual([]);
  });

  it("names a misspelt field, however deep", async () => {
    const object = only(deployment.replace("readinessProbe", "readinessprobe"));
    expect(await validateBuiltIn(object)).toEqual([
      "Deployment/sark: unknown field spec.template.spec.containers[0].readinessprobe",
    ]);
  });

  it("reports a value of the wrong type", async () => {
    const object = only(deployment.replace("containerPort: 8000", "containerPort: eight"));
    const problems = await validateBuiltIn(object);
    expect(problems.join("\n")).toMatch(/containerPort/);
  });

  it("refuses a document that is not a Kubernetes object", () => {
    expect(() => parseManifests("just: yaml\n")).toThrow(/not a Kubernetes object/);
  });
});
