/**
 * Offline validation of Kubernetes manifests, for the Helm chart and the kustomize overlays.
 *
 * Two checks, because neither library does both:
 * - `kubernetes-models` holds the Kubernetes OpenAPI schemas as compiled validators (types,
 *   required fields, enums) but lets unknown fields through;
 * - `@kubernetes/client-node`'s generated models list every field of every built-in type, which
 *   catches a misspelt or misplaced key (`readinessprobe`, `maxSurge` under `spec`) that the API
 *   server would reject under strict field validation and that `kubectl apply` would otherwise
 *   silently drop.
 * Custom resources (Prometheus Operator, Flagger) are not built in (`isBuiltIn` is false); their
 * tests validate them against schemas of their own.
 */
import { parseAllDocuments } from "yaml";

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Parses a multi-document YAML stream (as `helm template` or `kubectl kustomize` print it), skipping empty documents. */
export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]?.message}`);
    const value: unknown = document.toJSON();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value)) throw new Error(`not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    objects.push(value);
  }
  return objects;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== "object" || value === null) return false;
  const object = value as Record<string, unknown>;
  const metadata = object.metadata as Record<string, unknown> | undefined;
  return typeof object.apiVersion === "string" && typeof object.kind === "string" && typeof metadata?.name === "string";
}

/** `Kind/name` for messages. */
export function describe(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}

/** True when the object's API group is one Kubernetes itself serves (validated by `validateBuiltIn`). */
export function isBuiltIn(object: KubeObject): boolean {
  const group = object.apiVersion.includes("/") ? object.apiVersion.split("/")[0] : "";
  return group === "" || !group?.includes(".") || group.endsWith(".k8s.io");
}

/**
 * Validates a built-in object against the Kubernetes schema and rejects unknown fields.
 * Returns one message per problem (empty when valid).
 */
export async function validateBuiltIn(object: KubeObject): Promise<string[]> {
  const [group, version] = splitApiVersion(object.apiVersion);
  const modelsPath =
    group === ""
      ? `kubernetes-models/${version}/${object.kind}`
      : `kubernetes-models/${group}/${version}/${object.kind}`;
  const module = (await import(modelsPath)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[object.kind];
  if (Model === undefined) return [`${describe(object)}: no schema for ${object.apiVersion} ${object.kind}`];
  const problems: string[] = [];
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${describe(object)}: ${(error as Error).message}`);
  }
  const typeName = `${capitalize(version)}${object.kind}`;
  for (const path of await unknownFields(object, typeName, ""))
    problems.push(`${describe(object)}: unknown field ${path}`);
  return problems;
}

function splitApiVersion(apiVersion: string): [string, string] {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? ["", apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

interface Attribute {
  baseName: string;
  type: string;
}

const attributeMaps = new Map<string, Attribute[] | null>();

/** The field list of a generated client model, or null when the type is not a model (a primitive). */
async function attributesOf(typeName: string): Promise<Attribute[] | null> {
  if (attributeMaps.has(typeName)) return attributeMaps.get(typeName) ?? null;
  let attributes: Attribute[] | null = null;
  try {
    const module = (await import(`@kubernetes/client-node/dist/gen/models/${typeName}.js`)) as Record<
      string,
      { getAttributeTypeMap(): Attribute[] }
    >;
    attributes = module[typeName]?.getAttributeTypeMap() ?? null;
  } catch {
    attributes = null;
  }
  attributeMaps.set(typeName, attributes);
  return attributes;
}

async function unknownFields(value: unknown, typeName: string, path: string): Promise<string[]> {
  const array = /^Array<(.+)>$/.exec(typeName);
  if (array?.[1] !== undefined) {
    if (!Array.isArray(value)) return [];
    const elementType = array[1];
    const nested = await Promise.all(value.map((item, index) => unknownFields(item, elementType, `${path}[${index}]`)));
    return nested.flat();
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (map?.[1] !== undefined) {
    if (typeof value !== "object" || value === null) return [];
    const valueType = map[1];
    const nested = await Promise.all(
      Object.entries(value).map(([key, item]) => unknownFields(item, valueType, `${path}.${key}`)),
    );
    return nested.flat();
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [];
  const attributes = await attributesOf(typeName);
  if (attributes === null) return [];
  const byName = new Map(attributes.map((attribute) => [attribute.baseName, attribute.type]));
  const problems: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    const fieldType = byName.get(key);
    if (fieldType === undefined) problems.push(`${path}.${key}`.replace(/^\./, ""));
    else problems.push(...(await unknownFields(item, fieldType, `${path}.${key}`)));
  }
  return problems;
}
