import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

/**
 * `/metrics` under SARK_WORKERS. Prometheus scrapes the pod's port and whichever worker takes the
 * connection answers, so a worker's own registry would be a random fraction of the pod. The
 * answering worker asks the primary instead; the primary collects every worker's registry with
 * prom-client's AggregatorRegistry (counters and histograms summed, each default metric by its own
 * aggregator) and replies with the pod's text.
 */
const REQUEST = "sark:metrics-request";
const RESPONSE = "sark:metrics-response";
/** Longer than the aggregator's own 5 s timeout, so its error (naming the cause) arrives first. */
const WORKER_TIMEOUT_MS = 6000;

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

const isMessage = <T extends { type: string }>(m: unknown, type: T["type"]): m is T =>
  typeof m === "object" && m !== null && (m as { type?: unknown }).type === type;

/** In the primary: answer workers asking for the pod's metrics. */
export function servePodMetrics(): void {
  const aggregator = new AggregatorRegistry();
  const reply = (worker: Worker, response: MetricsResponse) => {
    if (worker.isConnected()) worker.send(response);
  };
  cluster.on("message", (worker, m: unknown) => {
    if (!isMessage<MetricsRequest>(m, REQUEST)) return;
    aggregator.clusterMetrics().then(
      (text) => reply(worker, { type: RESPONSE, id: m.id, text }),
      (e: unknown) => reply(worker, { type: RESPONSE, id: m.id, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}

/** In a worker: let the primary collect `registry`, and return a function giving the pod's metrics. */
export function workerPodMetrics(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry(); // installs prom-client's listener that answers the primary's collection
  let nextId = 0;
  const waiting = new Map<number, { resolve(text: string): void; reject(e: Error): void }>();
  process.on("message", (m: unknown) => {
    if (!isMessage<MetricsResponse>(m, RESPONSE)) return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) w?.reject(new Error(`collecting the workers' metrics failed: ${m.error}`));
    else w?.resolve(m.text ?? "");
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("the primary process did not answer a metrics request"));
      }, WORKER_TIMEOUT_MS);
      waiting.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
    });
}
