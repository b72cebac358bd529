import { describe, expect, it } from "vitest";
import { parseManifests, validateBuiltIn } from "./support/manifests.js";

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

describe("the manifest validator", () => {
  it("accepts a valid Deployment", async () => {
    const [object] = parseManifests(`---\n${deployment}\n---\n`);
    expect(object?.kind).toBe("Deployment");
    expect(await validateBuiltIn(object as never)).toEqual([]);
  });

  it("names a misspelt field, however deep", async () => {
    const [object] = parseManifests(deployment.replace("readinessProbe", "readinessprobe"));
    expect(await validateBuiltIn(object as never)).toEqual([
      "Deployment/sark: unknown field spec.template.spec.containers[0].readinessprobe",
    ]);
  });

  it("reports a value of the wrong type", async () => {
    const [object] = parseManifests(deployment.replace("containerPort: 8000", "containerPort: eight"));
    const problems = await validateBuiltIn(object as never);
    expect(problems.join("\n")).toMatch(/containerPort/);
  });

  it("refuses a document that is not a Kubernetes object", () => {
    expect(() => parseManifests("just: yaml\n")).toThrow(/not a Kubernetes object/);
  });
});
