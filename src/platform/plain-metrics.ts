import type { Registry } from "prom-client";

/**
 * Counters and histograms for hot paths, counted in plain numbers and turned into Prometheus series
 * only when scraped. prom-client's labelled `inc`/`observe` validate and hash the label set on every
 * call, even through a `labels()` child; that cost a cheap route about 8% of its throughput. Here a
 * caller resolves a series once (per label set) and keeps it, so counting is an addition. The
 * registry, the exposition format and every other metric stay prom-client's: the objects registered
 * below are metrics it formats like its own (name, help, type, `get()`).
 */

type Labels = Record<string, string>;

export interface CounterSeries {
  inc(by?: number): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

export interface PlainCounter {
  /** The series for one label set: resolve it once and keep it. */
  series(labels: Labels): CounterSeries;
}

export interface PlainHistogram {
  /** The series for one label set: resolve it once and keep it. */
  series(labels: Labels): HistogramSeries;
}

interface MetricDef {
  name: string;
  help: string;
}

/** The state of one label set, created on first use (labels copied: callers may reuse theirs). */
function stateFor<S>(all: Map<string, S>, labels: Labels, create: (labels: Labels) => S): S {
  const key = JSON.stringify(labels);
  let s = all.get(key);
  if (!s) {
    s = create({ ...labels });
    all.set(key, s);
  }
  return s;
}

function register(
  registry: Registry,
  def: MetricDef,
  type: "counter" | "histogram",
  values: () => unknown[],
  reset: () => void,
): void {
  const head = { name: def.name, help: def.help, type, aggregator: "sum" } as const;
  registry.registerMetric({ ...head, get: async () => ({ ...head, values: values() }), reset } as never);
}

export function createPlainCounter(registry: Registry, def: MetricDef): PlainCounter {
  const all = new Map<string, { labels: Labels; value: number }>();
  register(
    registry,
    def,
    "counter",
    () => [...all.values()].map((s) => ({ labels: s.labels, value: s.value })),
    // Zeroed in place: callers keep their series.
    () => {
      for (const s of all.values()) s.value = 0;
    },
  );
  return {
    series(labels) {
      const state = stateFor(all, labels, (own) => ({ labels: own, value: 0 }));
      return {
        inc(by = 1) {
          state.value += by;
        },
      };
    },
  };
}

interface HistogramState {
  labels: Labels;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); values above the last bound are only in `count`. */
  perBucket: number[];
}

/**
 * A histogram with Prometheus `le` buckets. With `countedAs`, its per-series counts are also exposed
 * as a counter of that name (`sark_http_requests_total` is the request histogram's count), which
 * saves a second series lookup per observation.
 */
export function createPlainHistogram(
  registry: Registry,
  def: MetricDef & { buckets: readonly number[]; countedAs?: MetricDef },
): PlainHistogram {
  const { buckets } = def;
  const all = new Map<string, HistogramState>();
  // Zeroed in place: callers keep their series.
  const reset = () => {
    for (const s of all.values()) {
      s.count = 0;
      s.sum = 0;
      s.perBucket.fill(0);
    }
  };
  if (def.countedAs) {
    const counted = () => [...all.values()].map((s) => ({ labels: s.labels, value: s.count }));
    register(registry, def.countedAs, "counter", counted, reset);
  }
  const bucketName = `${def.name}_bucket`;
  register(
    registry,
    def,
    "histogram",
    () =>
      [...all.values()].flatMap((s) => {
        let cumulative = 0;
        const bucketValues = buckets.map((le, i) => {
          cumulative += s.perBucket[i] ?? 0;
          return { labels: { ...s.labels, le }, value: cumulative, metricName: bucketName };
        });
        return [
          ...bucketValues,
          { labels: { ...s.labels, le: "+Inf" }, value: s.count, metricName: bucketName },
          { labels: s.labels, value: s.sum, metricName: `${def.name}_sum` },
          { labels: s.labels, value: s.count, metricName: `${def.name}_count` },
        ];
      }),
    reset,
  );
  return {
    series(labels) {
      const state = stateFor(all, labels, (own) => ({
        labels: own,
        count: 0,
        sum: 0,
        perBucket: buckets.map(() => 0),
      }));
      return {
        observe(value) {
          state.count++;
          state.sum += value;
          // `le` buckets: the first bound at or above the value.
          for (let i = 0; i < buckets.length; i++) {
            if (value <= (buckets[i] as number)) {
              state.perBucket[i] = (state.perBucket[i] ?? 0) + 1;
              break;
            }
          }
        },
      };
    },
  };
}
