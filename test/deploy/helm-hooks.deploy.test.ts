/**
 * The Helm hooks: the migration Job (pre-install/pre-upgrade) can only use what exists before the
 * release's regular objects do, so everything it references must be a hook created before it
 * (lower weight) or live outside the chart; and the `helm test` pod runs the image's smoke test
 * against the Service. Each check is shown catching a broken render.
 */
import type { V1Container, V1Deployment, V1Job, V1Pod, V1Service } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { findOne, minimalSecrets, render, valuesFiles } from "./support/helm-render.js";
import type { KubeObject } from "./support/manifests.js";

const migrationEvents = ["pre-install", "pre-upgrade"];

interface Hook {
  events: string[];
  weight: number;
  deletePolicies: string[];
}

function hookOf(object: KubeObject | V1Job | V1Pod): Hook | undefined {
  const annotations = object.metadata?.annotations ?? {};
  const events = annotations["helm.sh/hook"];
  if (events === undefined) return undefined;
  return {
    events: events.split(","),
    weight: Number(annotations["helm.sh/hook-weight"] ?? 0),
    deletePolicies: (annotations["helm.sh/hook-delete-policy"] ?? "").split(","),
  };
}

function firstContainer(pod: { containers: V1Container[] } | undefined): V1Container {
  const container = pod?.containers[0];
  if (!container) throw new Error("no container");
  return container;
}

/** What the migration Job's pod references, as `Kind/name`. */
function jobReferences(job: V1Job): string[] {
  const pod = job.spec?.template.spec;
  const container = firstContainer(pod);
  return [
    ...(container.envFrom ?? []).flatMap((source) => [
      ...(source.configMapRef ? [`ConfigMap/${source.configMapRef.name}`] : []),
      ...(source.secretRef ? [`Secret/${source.secretRef.name}`] : []),
    ]),
    `ServiceAccount/${pod?.serviceAccountName ?? "default"}`,
  ];
}

/**
 * Problems with the migration Job. `external` names objects that exist before the release (an
 * existingSecret, a service account the chart does not create).
 */
function migrationProblems(objects: readonly KubeObject[], external: readonly string[] = []): string[] {
  const problems: string[] = [];
  const job = findOne(objects, "Job") as unknown as V1Job;
  const deployment = findOne(objects, "Deployment") as unknown as V1Deployment;
  const hook = hookOf(job);
  if (!hook || !migrationEvents.every((event) => hook.events.includes(event)))
    problems.push("Job is not a pre-install,pre-upgrade hook");
  for (const policy of ["before-hook-creation", "hook-succeeded"]) {
    if (!hook?.deletePolicies.includes(policy)) problems.push(`Job lacks the ${policy} delete policy`);
  }
  const container = firstContainer(job.spec?.template.spec);
  const server = firstContainer(deployment.spec?.template.spec);
  if (JSON.stringify(container.args) !== '["migrate","up"]' || container.command)
    problems.push("Job does not run `migrate up`");
  if (container.image !== server.image) problems.push("Job runs another image than the Deployment");
  const spec = job.spec;
  if (!spec?.backoffLimit || !spec.activeDeadlineSeconds || !spec.ttlSecondsAfterFinished)
    problems.push("Job is unbounded");
  for (const reference of jobReferences(job)) {
    if (external.includes(reference)) continue;
    const target = objects.find((o) => `${o.kind}/${o.metadata.name}` === reference);
    const targetHook = target && hookOf(target);
    if (!targetHook) {
      problems.push(`Job uses ${reference}, which does not exist at pre-install`);
      continue;
    }
    if (!migrationEvents.every((event) => targetHook.events.includes(event)))
      problems.push(`${reference} is not created for every migration`);
    if (!(targetHook.weight < (hook?.weight ?? 0))) problems.push(`${reference} is not created before the Job`);
    if (!targetHook.deletePolicies.includes("before-hook-creation")) problems.push(`${reference} cannot be recreated`);
  }
  return problems;
}

function smokeTestProblems(objects: readonly KubeObject[]): string[] {
  const problems: string[] = [];
  const pod = findOne(objects, "Pod") as unknown as V1Pod;
  const service = findOne(objects, "Service") as unknown as V1Service;
  const deployment = findOne(objects, "Deployment") as unknown as V1Deployment;
  const container = firstContainer(pod.spec);
  const server = firstContainer(deployment.spec?.template.spec);
  if (hookOf(pod)?.events.join() !== "test") problems.push("the test pod is not a test hook");
  if (container.image !== server.image) problems.push("the test runs another image");
  const url = `http://${service.metadata?.name}:${service.spec?.ports?.[0]?.port}`;
  if (
    JSON.stringify([...(container.command ?? []), ...(container.args ?? [])]) !==
    JSON.stringify(["/app/scripts/smoke-test.sh", url])
  ) {
    problems.push(`the test does not run the smoke test against ${url}`);
  }
  const password = container.env?.find((variable) => variable.name === "SARK_SMOKE_PASSWORD")?.valueFrom?.secretKeyRef;
  const serverSecret = server.envFrom?.find((source) => source.secretRef)?.secretRef?.name;
  if (password?.name !== serverSecret || password?.key !== "SARK_ADMIN_PASSWORD")
    problems.push("the test does not log in as the admin");
  return problems;
}

describe("the migration Job", () => {
  it("uses only hooks created before it when the chart manages the secret", async () => {
    const objects = await render({ set: minimalSecrets });
    expect(migrationProblems(objects)).toEqual([]);
    expect(jobReferences(findOne(objects, "Job") as unknown as V1Job)).toEqual([
      "ConfigMap/sark-migrate",
      "Secret/sark-migrate",
      "ServiceAccount/sark-migrate",
    ]);
  });

  it("reads an existingSecret directly", async () => {
    const objects = await render({ files: [valuesFiles.prod] });
    expect(migrationProblems(objects, ["Secret/sark-secrets"])).toEqual([]);
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
  });

  it("runs as a service account the chart does not create", async () => {
    const set = { ...minimalSecrets, "serviceAccount.create": false, "serviceAccount.name": "sark-runtime" };
    const objects = await render({ set });
    expect(migrationProblems(objects, ["ServiceAccount/sark-runtime"])).toEqual([]);
    expect(objects.filter((o) => o.kind === "ServiceAccount")).toEqual([]);
  });

  it("is left out when migrations are disabled, with its prerequisites", async () => {
    const objects = await render({ set: { ...minimalSecrets, "migrations.enabled": false } });
    expect(objects.filter((o) => o.metadata.name === "sark-migrate")).toEqual([]);
  });
});

describe("the migration check", () => {
  let objects: KubeObject[];
  beforeAll(async () => {
    objects = await render({ set: minimalSecrets });
  });
  const broken = (change: (objects: KubeObject[]) => void) => {
    const copy = structuredClone(objects) as KubeObject[];
    change(copy);
    return migrationProblems(copy);
  };
  const jobContainer = (objects: KubeObject[]) =>
    firstContainer((findOne(objects, "Job") as unknown as V1Job).spec?.template.spec);

  it("catches a Job that reads the release's regular ConfigMap", () => {
    const problems = broken((copy) => {
      const source = jobContainer(copy).envFrom?.[0];
      if (source?.configMapRef) source.configMapRef.name = "sark";
    });
    expect(problems).toEqual(["Job uses ConfigMap/sark, which does not exist at pre-install"]);
  });

  it("catches a prerequisite created with or after the Job", () => {
    const problems = broken((copy) => {
      const secret = findOne(copy, "Secret", "sark-migrate");
      if (secret.metadata.annotations) secret.metadata.annotations["helm.sh/hook-weight"] = "0";
    });
    expect(problems).toEqual(["Secret/sark-migrate is not created before the Job"]);
  });

  it("catches a Job running another command or image", () => {
    const problems = broken((copy) => {
      const container = jobContainer(copy);
      container.args = ["serve"];
      container.image = "sark:latest";
    });
    expect(problems).toEqual(["Job does not run `migrate up`", "Job runs another image than the Deployment"]);
  });
});

describe("the helm test pod", () => {
  it.each([
    ["default", { set: minimalSecrets }],
    ["prod", { files: [valuesFiles.prod] }],
  ])("runs the smoke test against the Service as the admin (%s)", async (_name, options) => {
    expect(smokeTestProblems(await render(options))).toEqual([]);
  });

  it("check catches a test aimed at the wrong port", async () => {
    const objects = await render({ set: minimalSecrets });
    const service = findOne(objects, "Service") as unknown as V1Service;
    const port = service.spec?.ports?.[0];
    if (port) port.port = 8080;
    expect(smokeTestProblems(objects)).toEqual(["the test does not run the smoke test against http://sark:8080"]);
  });
});
