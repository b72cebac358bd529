/**
 * Renders deploy/helm/sark with `helm template` under a fixed release name and namespace (so
 * renders are comparable and golden files stable), and finds objects in the result.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type KubeObject, parseManifests } from "./manifests.js";
import { helm, repoRoot } from "./tools.js";

export const chartDir = "deploy/helm/sark";
export const releaseName = "sark";
export const releaseNamespace = "sark";

/** The values files shipped beside the chart, by the name the tests use. */
export const valuesFiles = {
  staging: `${chartDir}/values-staging.yaml`,
  prod: `${chartDir}/values-prod.yaml`,
} as const;

/** Secrets that satisfy the default (development) values, which require a secret source. */
export const minimalSecrets: Record<string, string> = {
  "secrets.JWT_SECRET_KEY": "3f9c1a7e5b2d8f4c6a0e9b1d7c3f5a8e",
  "secrets.AUDIT_CHECKPOINT_KEY": "8e2b4d6f0a1c3e5b7d9f2a4c6e8b0d1f",
  "secrets.SARK_ADMIN_PASSWORD": "correct-horse-battery",
};

export interface RenderOptions {
  /** Values files, relative to the repository root. */
  files?: readonly string[];
  /** `--set` pairs (string values are passed with --set-string, so "1" stays a string). */
  set?: Record<string, string | number | boolean>;
  /** `--set-json` pairs, for objects, lists and null. */
  setJson?: Record<string, unknown>;
}

function valueArgs(options: RenderOptions): string[] {
  const args: string[] = [];
  for (const file of options.files ?? []) args.push("--values", file);
  for (const [key, value] of Object.entries(options.set ?? {})) {
    args.push(typeof value === "string" ? "--set-string" : "--set", `${key}=${value}`);
  }
  for (const [key, value] of Object.entries(options.setJson ?? {}))
    args.push("--set-json", `${key}=${JSON.stringify(value)}`);
  return args;
}

/** The text `helm template` prints; rejects with helm's message when the chart refuses the values. */
export function renderText(options: RenderOptions = {}): Promise<string> {
  return helm(["template", releaseName, chartDir, "--namespace", releaseNamespace, ...valueArgs(options)]);
}

/** The rendered objects, hooks and tests included. */
export async function render(options: RenderOptions = {}): Promise<KubeObject[]> {
  return parseManifests(await renderText(options));
}

/** The rejection message of a render that must fail (throws when the render succeeds). */
export async function renderError(options: RenderOptions): Promise<string> {
  try {
    await renderText(options);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected helm template to fail for ${JSON.stringify(options)}`);
}

/** `helm lint --strict` over the chart with the given values; rejects with its output on failure. */
export function lint(options: Omit<RenderOptions, "setJson"> = {}): Promise<string> {
  return helm(["lint", "--strict", chartDir, ...valueArgs(options)]);
}

/** The one object of this kind (and name, when given); throws when there is none or several. */
export function findOne<T extends KubeObject = KubeObject>(
  objects: readonly KubeObject[],
  kind: string,
  name?: string,
): T {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? `/${name}` : ""}, found ${found.length}`);
  return found[0] as T;
}

/** The chart's values.schema.json. */
export function valuesSchema(): { properties: Record<string, { properties?: Record<string, unknown> }> } {
  return JSON.parse(readFileSync(join(repoRoot, chartDir, "values.schema.json"), "utf8"));
}
