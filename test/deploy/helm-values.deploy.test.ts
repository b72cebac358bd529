/**
 * The chart's values surface: `helm lint --strict` over the shipped values files, the schema
 * refusing misspelt keys, and the schema knowing exactly SARK's configuration variables.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  chartDir,
  findOne,
  lint,
  minimalSecrets,
  render,
  renderError,
  valuesFiles,
  valuesSchema,
} from "./support/helm-render.js";
import { repoRoot } from "./support/tools.js";

describe("helm lint --strict", () => {
  // Helm 4's lint reports a template's `fail` as an INFO line and passes, so lint alone would not
  // notice missing secrets: the default values lint as they are, and the render tests
  // (helm-secrets.deploy.test.ts) cover what `fail` refuses.
  it.each([
    ["default", []],
    ["staging", [valuesFiles.staging]],
    ["prod", [valuesFiles.prod]],
  ])("passes with the %s values", async (_name, files) => {
    expect(await lint({ files, set: minimalSecrets })).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(await lint({ files })).toMatch(/0 chart\(s\) failed/);
  });

  // Lint prints its findings on stdout, which the rejection leaves out; the schema tests below
  // show the message naming the key. The default values lint clean above, so the typo is the cause.
  it("fails on a misspelt top-level key", async () => {
    await expect(lint({ set: { ...minimalSecrets, replicaCont: 2 } })).rejects.toThrow(/1 chart\(s\) failed/);
  });
});

describe("the values schema", () => {
  it.each([
    [{ replicaCont: 2 }, "at '': additional properties 'replicaCont' not allowed"],
    [{ "image.pullPolcy": "Always" }, "at '/image': additional properties 'pullPolcy' not allowed"],
    [{ "ingress.tls.clusterIsuer": "x" }, "at '/ingress/tls': additional properties 'clusterIsuer' not allowed"],
    [{ "config.RATE_LIMT_PER_USER": 10 }, "at '/config': additional properties 'RATE_LIMT_PER_USER' not allowed"],
    [{ "secrets.JWT_SECRET_KY": "x" }, "at '/secrets': additional properties 'JWT_SECRET_KY' not allowed"],
  ])("refuses %j", async (set, message) => {
    expect(await renderError({ set: { ...minimalSecrets, ...set } })).toContain(message);
  });

  it("keeps secrets and chart-derived variables out of config", async () => {
    for (const name of ["JWT_SECRET_KEY", "DATABASE_URL", "SHUTDOWN_DELAY_MS", "PORT"]) {
      expect(await renderError({ set: { ...minimalSecrets, [`config.${name}`]: "x" } })).toContain(
        `additional properties '${name}' not allowed`,
      );
    }
  });

  it.each([
    ["a signing key shorter than production's minimum", "secrets.JWT_SECRET_KEY", "short", "minLength: got 5, want 32"],
    [
      "an admin password SARK's password rules refuse",
      "secrets.SARK_ADMIN_PASSWORD",
      "hunter2",
      "minLength: got 7, want 12",
    ],
    ["an admin username SARK refuses", "admin.username", "-admin", "'-admin' does not match pattern"],
  ])("refuses %s", async (_case, key, value, message) => {
    const error = await renderError({ set: { ...minimalSecrets, [key]: value } });
    expect(error).toContain(`at '/${key.replace(".", "/")}': ${message}`);
  });

  it("accepts exactly SARK's variables: config, secrets, and the ones the chart derives", async () => {
    const schema = valuesSchema().properties;
    const configurable = Object.keys(schema.config?.properties ?? {});
    const secret = Object.keys(schema.secrets?.properties ?? {});
    const configMap = findOne(
      await render({ set: minimalSecrets, setJson: { "config.LOG_LEVEL": null } }),
      "ConfigMap",
      "sark",
    );
    const derived = Object.keys(configMap.data as Record<string, string>);
    expect(new Set([...configurable, ...secret, ...derived])).toEqual(sarkVariables());
    expect(configurable.filter((name) => derived.includes(name) || secret.includes(name))).toEqual([]);
  });
});

describe("Chart.yaml", () => {
  it("deploys the package.json version of SARK", () => {
    const chart = parse(readFileSync(join(repoRoot, chartDir, "Chart.yaml"), "utf8")) as Record<string, string>;
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    expect(chart.apiVersion).toBe("v2");
    expect(chart.appVersion).toBe(pkg.version);
  });
});

/**
 * Every variable SARK's configuration reads: the first string argument of the readers in
 * src/platform/config (`r.int("PORT", …)`, `pem("JWT_PRIVATE_KEY")`). A new variable there fails
 * the test above until the chart's schema knows it.
 */
function sarkVariables(): Set<string> {
  const dir = join(repoRoot, "src/platform/config");
  const names = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))) {
    const source = readFileSync(join(dir, file), "utf8");
    for (const match of source.matchAll(/\b\w+\(\s*"([A-Z][A-Z0-9_]+)"/g)) names.add(match[1] as string);
  }
  return names;
}
