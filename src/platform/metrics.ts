import { collectDefaultMetrics, Gauge as PromGauge, Registry } from "prom-client";
import { PlainCounter, PlainHistogram } from "./plain-metrics.js";

/** One value for each of a metric's label names, which are fixed when the metric is defined. */
export type Labels<L extends string> = { readonly [K in L]: string };

/** An update's arguments: `rest` alone for an unlabelled metric, else its labels first. */
type Args<L extends string, Rest extends unknown[]> = [L] extends [never] ? Rest : [labels: Labels<L>, ...Rest];

export interface MetricDef<L extends string> {
  /** Exposed as is: dashboards and alerts depend on names, help texts, label names and buckets. */
  name: string;
  help: string;
  labelNames?: readonly L[];
}

export interface CounterSeries {
  inc(by?: number): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

export interface Counter<L extends string = never> {
  inc(...args: Args<L, [by?: number]>): void;
  /** One label set's series. On a hot path resolve it once and keep it: counting is then an addition. */
  series(labels: Labels<L>): CounterSeries;
}

export interface Histogram<L extends string = never> {
  observe(...args: Args<L, [value: number]>): void;
  /** One label set's series. On a hot path resolve it once and keep it. */
  series(labels: Labels<L>): HistogramSeries;
}

export interface Gauge<L extends string = never> {
  set(...args: Args<L, [value: number]>): void;
}

/**
 * The one way SARK defines metrics. Each Context has its own registry (never a module singleton,
 * so tests can build several apps in one process); features define their metrics on it through
 * `counter`, `gauge` and `histogram`. Counters and histograms count in plain numbers
 * (plain-metrics.ts says why); gauges are prom-client's, set rarely or at collection.
 */
export interface Metrics {
  readonly registry: Registry;
  counter<const L extends string = never>(def: MetricDef<L>): Counter<L>;
  /** With `collect`, the gauge is set from it whenever the registry is collected. */
  gauge<const L extends string = never>(def: MetricDef<L> & { collect?(gauge: Gauge<L>): void }): Gauge<L>;
  histogram<const L extends string = never>(def: MetricDef<L> & { buckets: readonly number[] }): Histogram<L>;
  /** `sark_http_requests_total` and `sark_http_request_duration_seconds` (createRequestMetrics below). */
  readonly http: RequestMetrics;
  readonly dbQueryDuration: Histogram<"kind">;
  /** Reports `stats()` as `sark_db_pool_connections` whenever the registry is collected. */
  observeDbPool(stats: () => Record<string, number>): void;
}

const isLabels = (x: unknown): x is Labels<string> => typeof x === "object" && x !== null;

/** Splits an update's arguments (`Args`): an object first is the label set. */
function split(args: readonly unknown[]): [Labels<string>, unknown] {
  const [first, second] = args;
  return isLabels(first) ? [first, second] : [{}, first];
}

function counter<L extends string>(registry: Registry, def: MetricDef<L>): Counter<L> {
  const metric = new PlainCounter({ registry, ...def, labelNames: def.labelNames ?? [] });
  const series = (labels: Labels<L>): CounterSeries => {
    const state = metric.stateFor(labels);
    return {
      inc(by = 1) {
        state.value += by;
      },
    };
  };
  return {
    inc(...args) {
      const [labels, by] = split(args);
      metric.stateFor(labels).value += typeof by === "number" ? by : 1;
    },
    series,
  };
}

function histogram<L extends string>(
  registry: Registry,
  def: MetricDef<L> & { buckets: readonly number[] },
): Histogram<L> {
  const metric = new PlainHistogram({ registry, ...def, labelNames: def.labelNames ?? [] });
  return {
    observe(...args) {
      const [labels, value] = split(args);
      metric.observeInto(metric.stateFor(labels), Number(value));
    },
    series(labels) {
      const state = metric.stateFor(labels);
      return { observe: (value) => metric.observeInto(state, value) };
    },
  };
}

function gauge<L extends string>(
  registry: Registry,
  def: MetricDef<L> & { collect?(gauge: Gauge<L>): void },
): Gauge<L> {
  const wrapper: Gauge<L> = {
    set(...args) {
      const [labels, value] = split(args);
      prom.set(labels, Number(value));
    },
  };
  const { collect } = def;
  const prom = new PromGauge<string>({
    name: def.name,
    help: def.help,
    labelNames: def.labelNames ?? [],
    registers: [registry],
    ...(collect ? { collect: () => collect(wrapper) } : {}),
  });
  return wrapper;
}

export function createMetrics(options: { collectDefaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.collectDefaults !== false) collectDefaultMetrics({ register: registry });
  const api = {
    registry,
    counter: <const L extends string = never>(def: MetricDef<L>) => counter(registry, def),
    gauge: <const L extends string = never>(def: MetricDef<L> & { collect?(gauge: Gauge<L>): void }) =>
      gauge(registry, def),
    histogram: <const L extends string = never>(def: MetricDef<L> & { buckets: readonly number[] }) =>
      histogram(registry, def),
  };
  return {
    ...api,
    http: createRequestMetrics(api, [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]),
    dbQueryDuration: api.histogram({
      name: "sark_db_query_duration_seconds",
      help: "Database query duration",
      labelNames: ["kind"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    }),
    observeDbPool(stats) {
      api.gauge({
        name: "sark_db_pool_connections",
        help: "Database pool connections by state (total, idle, waiting)",
        labelNames: ["state"],
        collect(g) {
          for (const [state, n] of Object.entries(stats())) g.set({ state }, n);
        },
      });
    },
  };
}

/** RED metrics of the HTTP API, by method, route template and status. */
export interface RequestMetrics {
  observe(method: string, route: string, status: number, seconds: number): void;
}

/** `sark_http_requests_total` and `sark_http_request_duration_seconds`. */
function createRequestMetrics(
  metrics: Pick<Metrics, "counter" | "histogram">,
  buckets: readonly number[],
): RequestMetrics {
  const labelNames = ["method", "route", "status"] as const;
  const requests = metrics.counter({
    name: "sark_http_requests_total",
    help: "HTTP requests by method, route template and status",
    labelNames,
  });
  const duration = metrics.histogram({
    name: "sark_http_request_duration_seconds",
    help: "HTTP request duration by method, route template and status",
    labelNames,
    buckets,
  });
  // One string key per request finds both series; label objects are built only for a new series.
  const series = new Map<string, { count: CounterSeries; time: HistogramSeries }>();
  return {
    observe(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let s = series.get(key);
      if (!s) {
        const labels = { method, route, status: String(status) };
        s = { count: requests.series(labels), time: duration.series(labels) };
        series.set(key, s);
      }
      s.count.inc();
      s.time.observe(seconds);
    },
  };
}
