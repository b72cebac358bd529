/**
 * Renders the kustomize manifests in deploy/k8s with the pinned kubectl, as an operator would.
 * The rollout strategies are components an overlay adds; `renderOverlay` renders a temporary copy of
 * an overlay with components added (or any other edit), the way `kustomize edit add component`
 * would change it, without touching the repository.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { type KubeObject, parseManifests } from "./manifests.js";
import { kubectl, repoRoot } from "./tools.js";

/** `kubectl kustomize` of a directory given relative to the repository root. */
export async function render(dir: string): Promise<KubeObject[]> {
  return parseManifests(await kubectl(["kustomize", dir]));
}

interface Kustomization {
  resources?: string[];
  components?: string[];
  configMapGenerator?: { name: string; literals?: string[] }[];
  [field: string]: unknown;
}

/**
 * Renders a copy of `overlay` (relative to the repository root) with `components` added and
 * `edit` applied to its kustomization. Paths stay relative, as kustomize requires.
 */
export async function renderOverlay(
  overlay: string,
  options: { components?: string[]; edit?: (kustomization: Kustomization) => void } = {},
): Promise<KubeObject[]> {
  const source = resolve(repoRoot, overlay);
  const copy = mkdtempSync(join(tmpdir(), "sark-overlay-"));
  try {
    cpSync(source, copy, { recursive: true });
    const file = join(copy, "kustomization.yaml");
    const kustomization = parse(readFileSync(file, "utf8")) as Kustomization;
    kustomization.resources = (kustomization.resources ?? []).map((r) => relative(copy, resolve(source, r)));
    const components = (options.components ?? []).map((c) => relative(copy, resolve(repoRoot, c)));
    if (components.length > 0) kustomization.components = components;
    options.edit?.(kustomization);
    writeFileSync(file, stringify(kustomization));
    return parseManifests(await kubectl(["kustomize", copy]));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** Parses a plain manifest file of the repository (one not built by kustomize). */
export function readManifests(file: string): KubeObject[] {
  return parseManifests(readFileSync(resolve(repoRoot, file), "utf8"));
}

/** The one object of a plain manifest file; throws unless the file holds exactly one. */
export function readManifest(file: string): KubeObject {
  const objects = readManifests(file);
  const [object] = objects;
  if (object === undefined || objects.length > 1) throw new Error(`${file} should hold exactly one object`);
  return object;
}
