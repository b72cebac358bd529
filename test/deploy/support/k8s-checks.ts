/**
 * Structural checks of rendered SARK manifests: what schema validation cannot see because it spans
 * objects (a Service that selects no pod, an HPA aimed at a missing Deployment) or encodes SARK's
 * own rules (its probe paths, its shutdown timing, the restricted pod profile). Each returns one
 * message per problem, empty when the manifests are right, so a test can also prove that a broken
 * manifest is caught.
 */
import type { KubeObject } from "./manifests.js";
import { describe } from "./manifests.js";

type Labels = Record<string, string>;

interface Probe {
  httpGet?: { path?: string; port: string | number };
  periodSeconds?: number;
  failureThreshold?: number;
}

interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[] };
  seccompProfile?: { type?: string };
}

interface Container {
  name: string;
  image?: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: SecurityContext;
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpec {
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: SecurityContext;
  containers: Container[];
  volumes?: { name: string; emptyDir?: unknown }[];
}

interface PodTemplate {
  metadata?: { labels?: Labels };
  spec: PodSpec;
}

interface DeploymentSpec {
  selector: { matchLabels?: Labels };
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  template: PodTemplate;
}

/** The objects of a kind (and name, when given). */
export function ofKind(objects: KubeObject[], kind: string, name?: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

/** The one object of a kind and name; throws when it is missing. */
export function one(objects: KubeObject[], kind: string, name: string): KubeObject {
  const [found] = ofKind(objects, kind, name);
  if (found === undefined) throw new Error(`${kind}/${name} is not in the manifests`);
  return found;
}

export function deploymentSpec(deployment: KubeObject): DeploymentSpec {
  return deployment.spec as DeploymentSpec;
}

/** SARK server Deployments (not the maintenance page). */
export function serverDeployments(objects: KubeObject[]): KubeObject[] {
  return ofKind(objects, "Deployment").filter((d) => d.metadata.labels?.["app.kubernetes.io/component"] === "server");
}

/** True when every label of the selector is on the pod. */
export function selects(selector: Labels | undefined, podLabels: Labels | undefined): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => podLabels?.[key] === value);
}

/** Names of the Deployments whose pods the selector picks. */
export function selectedDeployments(selector: Labels | undefined, deployments: KubeObject[]): string[] {
  return deployments
    .filter((d) => selects(selector, deploymentSpec(d).template.metadata?.labels))
    .map((d) => d.metadata.name);
}

const sarkContainer = (spec: PodSpec): Container | undefined => spec.containers.find((c) => c.name === "sark");

/**
 * The checks every SARK server Deployment must pass: its selector, its rolling update, its probes
 * (on `routes`, the paths SARK registers), its pod security and its shutdown timing.
 */
export function checkServerDeployment(deployment: KubeObject, objects: KubeObject[], routes: Set<string>): string[] {
  const spec = deploymentSpec(deployment);
  const name = describe(deployment);
  const problems: string[] = [];
  if (!selects(spec.selector.matchLabels, spec.template.metadata?.labels))
    problems.push(`${name}: its selector does not match its pod template's labels`);
  const rolling = spec.strategy?.rollingUpdate;
  if (spec.strategy?.type !== "RollingUpdate" || rolling?.maxSurge !== 1 || rolling?.maxUnavailable !== 0)
    problems.push(`${name}: wants a RollingUpdate with maxSurge 1 and maxUnavailable 0`);
  problems.push(...checkProbes(name, spec.template.spec, routes));
  problems.push(...checkPodSecurity(name, spec.template.spec, { uid: 1000 }));
  problems.push(...checkShutdownTiming(name, spec.template.spec, objects));
  return problems;
}

const EXPECTED_PROBES = { readinessProbe: "/ready", livenessProbe: "/health/live", startupProbe: "/health/startup" };

function checkProbes(name: string, pod: PodSpec, routes: Set<string>): string[] {
  const container = sarkContainer(pod);
  if (container === undefined) return [`${name}: no container named sark`];
  const problems: string[] = [];
  const http = container.ports?.find((p) => p.name === "http");
  if (http?.containerPort !== 8000) problems.push(`${name}: wants container port 8000 named http`);
  for (const [probe, path] of Object.entries(EXPECTED_PROBES)) {
    const get = container[probe as keyof typeof EXPECTED_PROBES]?.httpGet;
    if (get?.path !== path) problems.push(`${name}: ${probe} should GET ${path}, not ${get?.path}`);
    else if (!routes.has(path)) problems.push(`${name}: ${probe} path ${path} is not a route SARK serves`);
    if (get !== undefined && get.port !== "http" && get.port !== 8000)
      problems.push(`${name}: ${probe} port ${get.port} is not SARK's port`);
  }
  return problems;
}

/**
 * The restricted Pod Security Standard plus SARK's own rules: no service account token, a
 * read-only root with /tmp on an emptyDir, and (when `uid` is given) the image's user.
 */
export function checkPodSecurity(name: string, pod: PodSpec, options: { uid?: number } = {}): string[] {
  const problems: string[] = [];
  const podContext = pod.securityContext ?? {};
  if (pod.automountServiceAccountToken !== false) problems.push(`${name}: mounts a service account token`);
  for (const container of pod.containers) {
    const context = { ...podContext, ...container.securityContext };
    const where = `${name} container ${container.name}`;
    if (context.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
    if (options.uid !== undefined && (context.runAsUser !== options.uid || context.runAsGroup !== options.uid))
      problems.push(`${where}: does not run as uid/gid ${options.uid}`);
    if (context.seccompProfile?.type !== "RuntimeDefault")
      problems.push(`${where}: seccomp profile is not RuntimeDefault`);
    if (container.securityContext?.allowPrivilegeEscalation !== false)
      problems.push(`${where}: allowPrivilegeEscalation is not false`);
    if (container.securityContext?.readOnlyRootFilesystem !== true)
      problems.push(`${where}: the root filesystem is writable`);
    if (!container.securityContext?.capabilities?.drop?.includes("ALL"))
      problems.push(`${where}: does not drop ALL capabilities`);
    const tmp = container.volumeMounts?.find((m) => m.mountPath === "/tmp");
    const volume = pod.volumes?.find((v) => v.name === tmp?.name);
    if (volume?.emptyDir === undefined) problems.push(`${where}: /tmp is not a writable emptyDir`);
  }
  return problems;
}

/**
 * docs/OPERATIONS.md, "Graceful shutdown": the pod's grace period covers SHUTDOWN_DELAY_MS plus
 * SHUTDOWN_GRACE_MS with a margin, and the delay outlasts the readiness probe's detection time.
 */
function checkShutdownTiming(name: string, pod: PodSpec, objects: KubeObject[]): string[] {
  const MARGIN_MS = 5000;
  const container = sarkContainer(pod);
  const configName = container?.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name;
  const config = ofKind(objects, "ConfigMap", configName).at(0)?.data as Record<string, string> | undefined;
  if (config === undefined) return [`${name}: its ConfigMap ${configName} is not in the manifests`];
  const delay = Number(config.SHUTDOWN_DELAY_MS);
  const grace = Number(config.SHUTDOWN_GRACE_MS);
  if (!Number.isInteger(delay) || !Number.isInteger(grace))
    return [`${name}: SHUTDOWN_DELAY_MS and SHUTDOWN_GRACE_MS must be set in ${configName}`];
  const problems: string[] = [];
  const terminationMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
  if (terminationMs < delay + grace + MARGIN_MS)
    problems.push(`${name}: terminationGracePeriodSeconds is under SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS + 5 s`);
  const readiness = container?.readinessProbe;
  const detectionMs = (readiness?.periodSeconds ?? 10) * (readiness?.failureThreshold ?? 3) * 1000;
  if (delay <= detectionMs)
    problems.push(`${name}: SHUTDOWN_DELAY_MS ${delay} does not exceed readiness detection (${detectionMs} ms)`);
  return problems;
}

/** Cross-object checks: Services, the PDB, HPAs, the NetworkPolicy and Ingress backends. */
export function checkWiring(objects: KubeObject[]): string[] {
  const servers = serverDeployments(objects);
  const problems: string[] = [];
  for (const service of ofKind(objects, "Service")) {
    const spec = service.spec as { selector?: Labels; ports?: { name?: string; targetPort?: string | number }[] };
    if (selectedDeployments(spec.selector, ofKind(objects, "Deployment")).length === 0)
      problems.push(`${describe(service)}: selects no pods`);
    if (!spec.ports?.some((p) => p.name === "http" && p.targetPort === "http"))
      problems.push(`${describe(service)}: has no port http aimed at the pods' port http`);
  }
  for (const pdb of ofKind(objects, "PodDisruptionBudget")) {
    const selector = (pdb.spec as { selector?: { matchLabels?: Labels } }).selector?.matchLabels;
    if (selectedDeployments(selector, servers).length === 0) problems.push(`${describe(pdb)}: selects no SARK pods`);
  }
  for (const hpa of ofKind(objects, "HorizontalPodAutoscaler")) problems.push(...checkAutoscaler(hpa, servers));
  for (const policy of ofKind(objects, "NetworkPolicy")) {
    const selector = (policy.spec as { podSelector?: { matchLabels?: Labels } }).podSelector?.matchLabels;
    const covered = selectedDeployments(selector, servers);
    for (const server of servers)
      if (!covered.includes(server.metadata.name))
        problems.push(`${describe(policy)}: does not cover ${describe(server)}`);
  }
  for (const ingress of ofKind(objects, "Ingress")) problems.push(...checkIngressBackends(ingress, objects));
  return problems;
}

function checkAutoscaler(hpa: KubeObject, servers: KubeObject[]): string[] {
  const spec = hpa.spec as {
    scaleTargetRef: { kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: { resource?: { name: string } }[];
  };
  const problems: string[] = [];
  const target = spec.scaleTargetRef;
  if (target.kind !== "Deployment" || !servers.some((d) => d.metadata.name === target.name))
    problems.push(`${describe(hpa)}: targets ${target.kind}/${target.name}, not a SARK Deployment`);
  // Two replicas at least, so the PDB (maxUnavailable 1) lets a node drain without an outage.
  if ((spec.minReplicas ?? 1) < 2 || spec.maxReplicas < (spec.minReplicas ?? 1))
    problems.push(`${describe(hpa)}: wants 2 <= minReplicas <= maxReplicas`);
  const resources = (spec.metrics ?? []).map((m) => m.resource?.name);
  if (!resources.includes("cpu") || !resources.includes("memory"))
    problems.push(`${describe(hpa)}: wants CPU and memory metrics`);
  return problems;
}

function checkIngressBackends(ingress: KubeObject, objects: KubeObject[]): string[] {
  const rules = (ingress.spec as { rules?: { http?: { paths: { backend: { service?: unknown } }[] } }[] }).rules ?? [];
  const problems: string[] = [];
  for (const path of rules.flatMap((rule) => rule.http?.paths ?? [])) {
    const backend = path.backend.service as { name: string; port: { name?: string } };
    const service = ofKind(objects, "Service", backend.name).at(0);
    const ports = (service?.spec as { ports?: { name?: string }[] } | undefined)?.ports ?? [];
    if (!ports.some((p) => p.name === backend.port.name))
      problems.push(`${describe(ingress)}: backend ${backend.name}:${backend.port.name} is not a Service port`);
  }
  return problems;
}
