/**
 * Secret sources and configuration: the chart refuses to render what SARK would refuse to start
 * with (mirroring its production checks), wires existingSecret everywhere, and rolls the pods when
 * the configuration changes.
 */
import { describe, expect, it } from "vitest";
import { findOne, minimalSecrets, render, renderError, valuesFiles } from "./support/helm-render.js";
import type { KubeObject } from "./support/manifests.js";

type Deployment = KubeObject & {
  spec: {
    template: { metadata: { annotations: Record<string, string> }; spec: { containers: { envFrom: EnvFrom[] }[] } };
  };
};
type EnvFrom = { configMapRef?: { name: string }; secretRef?: { name: string } };

const prod = [valuesFiles.prod];
const databaseUrl = "postgres://sark:s3cret-pw@db.internal:5432/sark";

/** The minimal secrets less one. */
function without(key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(minimalSecrets).filter(([name]) => name !== key));
}

function secretRefs(objects: KubeObject[]): string[] {
  const job = findOne(objects, "Job", "sark-migrate") as unknown as { spec: Deployment["spec"] };
  const deployment = findOne<Deployment>(objects, "Deployment", "sark");
  const test = findOne(objects, "Pod", "sark-smoke-test") as unknown as {
    spec: { containers: { env: { valueFrom?: { secretKeyRef: { name: string; key: string } } }[] }[] };
  };
  const fromEnv = (container?: { envFrom: EnvFrom[] }) =>
    container?.envFrom.flatMap((e) => (e.secretRef ? [e.secretRef.name] : []));
  const password = test.spec.containers[0]?.env.find((e) => e.valueFrom)?.valueFrom?.secretKeyRef;
  return [
    ...(fromEnv(deployment.spec.template.spec.containers[0]) ?? []),
    ...(fromEnv(job.spec.template.spec.containers[0]) ?? []),
    `${password?.name}:${password?.key}`,
  ];
}

describe("production values", () => {
  it("render with the existingSecret they name, which every pod reads", async () => {
    const objects = await render({ files: prod });
    expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
    expect(secretRefs(objects)).toEqual(["sark-secrets", "sark-secrets", "sark-secrets:SARK_ADMIN_PASSWORD"]);
  });

  it("refuse to render without a secret source, saying what to set", async () => {
    const message = await renderError({ files: prod, set: { existingSecret: "" } });
    expect(message).toContain("sark: no JWT signing key: set secrets.JWT_SECRET_KEY");
    expect(message).toContain(
      "or an existingSecret (a Secret holding JWT_SECRET_KEY, AUDIT_CHECKPOINT_KEY, DATABASE_URL",
    );
  });

  it("refuse inline secrets without database credentials, like SARK's own production check", async () => {
    const message = await renderError({ files: prod, set: { existingSecret: "", ...minimalSecrets } });
    expect(message).toContain("sark: no database credentials");
    expect(message).toContain("set secrets.DATABASE_URL");
  });

  it("accept complete inline secrets, mirrored into the migration hook's Secret", async () => {
    const objects = await render({
      files: prod,
      set: { existingSecret: "", ...minimalSecrets, "secrets.DATABASE_URL": databaseUrl },
    });
    const secret = findOne(objects, "Secret", "sark");
    expect(Object.keys(secret.data as object).sort()).toEqual([
      "AUDIT_CHECKPOINT_KEY",
      "DATABASE_URL",
      "JWT_SECRET_KEY",
      "SARK_ADMIN_PASSWORD",
    ]);
    expect(findOne(objects, "Secret", "sark-migrate").data).toEqual(secret.data);
    expect(secretRefs(objects)).toEqual(["sark", "sark-migrate", "sark:SARK_ADMIN_PASSWORD"]);
  });
});

describe("default (development) values", () => {
  it.each([
    ["no secrets", without("secrets.JWT_SECRET_KEY"), "no JWT signing key"],
    ["no audit key", without("secrets.AUDIT_CHECKPOINT_KEY"), "no audit checkpoint key"],
    [
      "no admin password",
      without("secrets.SARK_ADMIN_PASSWORD"),
      "no bootstrap admin password (helm test logs in with it)",
    ],
    ["2 replicas on the embedded database", { ...minimalSecrets, replicaCount: 2 }, "no database credentials"],
    [
      "autoscaling on the embedded database",
      { ...minimalSecrets, "autoscaling.enabled": true },
      "no database credentials",
    ],
    [
      "RS256 without a private key",
      { ...minimalSecrets, "config.JWT_ALGORITHM": "RS256" },
      "JWT_ALGORITHM RS256 needs",
    ],
    [
      "existingSecret and secrets",
      { ...minimalSecrets, existingSecret: "elsewhere" },
      "set existingSecret or secrets, not both",
    ],
  ])("refuse %s", async (_case, set, message) => {
    expect(await renderError({ set })).toContain(`sark: ${message}`);
  });

  it("run several replicas once PostgreSQL is configured", async () => {
    const objects = await render({ set: { ...minimalSecrets, replicaCount: 2, "secrets.DATABASE_URL": databaseUrl } });
    expect((findOne(objects, "Deployment", "sark").spec as { replicas: number }).replicas).toBe(2);
  });
});

describe("the ConfigMap", () => {
  it("derives SARK's variables from the typed values and takes config on top", async () => {
    const data = (objects: KubeObject[]) => findOne(objects, "ConfigMap", "sark").data;
    expect(data(await render({ files: prod }))).toEqual({
      ENVIRONMENT: "production",
      PORT: "8000",
      SARK_DATA_DIR: "/tmp/sark-data",
      SARK_ADMIN_USERNAME: "admin",
      BODY_LIMIT_BYTES: "1048576",
      SHUTDOWN_DELAY_MS: "15000",
      SHUTDOWN_GRACE_MS: "25000",
      TRUST_PROXY: "1",
      LOG_LEVEL: "info",
      DB_SSL: "require",
      DB_POOL_SIZE: "20",
      RATE_LIMIT_FALLBACK_FRACTION: "0.34",
    });
    // Without the ingress there is no proxy hop to trust.
    expect(data(await render({ set: minimalSecrets }))).not.toHaveProperty("TRUST_PROXY");
    // Large numbers stay integers (values files hand Helm floats).
    const setJson = { "config.AUDIT_MAINTENANCE_INTERVAL_MS": 3_600_000, "config.TRUST_PROXY": 2 };
    expect(data(await render({ files: prod, setJson }))).toMatchObject({
      AUDIT_MAINTENANCE_INTERVAL_MS: "3600000",
      TRUST_PROXY: "2",
    });
  });

  it("is mirrored into the migration hook's ConfigMap", async () => {
    const objects = await render({ files: prod });
    expect(findOne(objects, "ConfigMap", "sark-migrate").data).toEqual(findOne(objects, "ConfigMap", "sark").data);
  });
});

describe("checksum annotations", () => {
  const checksums = async (set: Record<string, string | number | boolean>) => {
    const deployment = findOne<Deployment>(await render({ set: { ...minimalSecrets, ...set } }), "Deployment", "sark");
    return deployment.spec.template.metadata.annotations;
  };

  it("change with the configuration, so the pods roll", async () => {
    const before = await checksums({});
    expect(await checksums({})).toEqual(before);
    const afterConfig = await checksums({ "config.LOG_LEVEL": "debug" });
    expect(afterConfig["checksum/config"]).not.toBe(before["checksum/config"]);
    expect(afterConfig["checksum/secret"]).toBe(before["checksum/secret"]);
    const afterSecret = await checksums({ "secrets.SARK_ADMIN_PASSWORD": "another-password" });
    expect(afterSecret["checksum/secret"]).not.toBe(before["checksum/secret"]);
    expect(afterSecret["checksum/config"]).toBe(before["checksum/config"]);
  });
});
