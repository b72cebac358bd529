import { Counter, Histogram, type Registry } from "prom-client";

/**
 * The counters and histograms behind metrics.ts, counted in plain numbers and turned into
 * Prometheus series only when scraped. prom-client's labelled `inc`/`observe` validate and hash the
 * label set on every call, even through a `labels()` child; that cost a cheap route about 8% of its
 * throughput. Here a caller resolves a series once (per label set) and keeps it, so counting is an
 * addition. Each metric is a prom-client Counter or Histogram whose `get()` reports these series, so
 * the registry, its exposition format and `getSingleMetric()` treat it as prom-client's own. Only
 * metrics.ts uses these classes: prom-client's own `inc`/`observe` on them would count nothing.
 */

type LabelValues = Readonly<Record<string, string>>;

interface Definition {
  registry: Registry;
  name: string;
  help: string;
  labelNames: readonly string[];
}

/** The series of one metric by label set, each created on first use. */
class SeriesSet<S> {
  private readonly byKey = new Map<string, S>();

  constructor(
    private readonly labelNames: readonly string[],
    private readonly create: (labels: Record<string, string>) => S,
  ) {
    // An unlabelled metric has its one series from the start, at zero, as prom-client's do.
    if (labelNames.length === 0) this.get({});
  }

  /** Keyed and copied by the declared label names, in their order (callers may reuse their object). */
  get(labels: LabelValues): S {
    const values = this.labelNames.map((n) => labels[n] ?? "");
    const key = JSON.stringify(values);
    let s = this.byKey.get(key);
    if (!s) {
      s = this.create(Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? ""])));
      this.byKey.set(key, s);
    }
    return s;
  }

  all(): IterableIterator<S> {
    return this.byKey.values();
  }
}

// prom-client's constructor calls reset() before a subclass's fields are assigned: the overrides
// below therefore read their series with `?.`.

interface CounterState {
  labels: Record<string, string>;
  value: number;
}

export class PlainCounter extends Counter<string> {
  private readonly series: SeriesSet<CounterState>;

  constructor(def: Definition) {
    super({ name: def.name, help: def.help, labelNames: [...def.labelNames], registers: [def.registry] });
    this.series = new SeriesSet(def.labelNames, (labels) => ({ labels, value: 0 }));
  }

  /** The state of one label set: callers add to `value`. */
  stateFor(labels: LabelValues): CounterState {
    return this.series.get(labels);
  }

  override async get() {
    const base = await super.get();
    return { ...base, values: [...this.series.all()].map((s) => ({ labels: s.labels, value: s.value })) };
  }

  /** Zeroed in place: callers keep their series. */
  override reset(): void {
    super.reset();
    for (const s of this.series?.all() ?? []) s.value = 0;
  }
}

interface HistogramState {
  labels: Record<string, string>;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative); values above the last bound are only in `count`. */
  perBucket: number[];
}

export class PlainHistogram extends Histogram<string> {
  private readonly bounds: readonly number[];
  private readonly metricName: string;
  private readonly helpText: string;
  private readonly bucketName: string;
  private readonly series: SeriesSet<HistogramState>;

  constructor(def: Definition & { buckets: readonly number[] }) {
    const { buckets } = def;
    super({
      name: def.name,
      help: def.help,
      labelNames: [...def.labelNames],
      buckets: [...buckets],
      registers: [def.registry],
    });
    this.bounds = buckets;
    this.metricName = def.name;
    this.helpText = def.help;
    this.bucketName = `${def.name}_bucket`;
    this.series = new SeriesSet(def.labelNames, (labels) => ({
      labels,
      count: 0,
      sum: 0,
      perBucket: buckets.map(() => 0),
    }));
  }

  /** The state of one label set, for `observeInto`. */
  stateFor(labels: LabelValues): HistogramState {
    return this.series.get(labels);
  }

  observeInto(state: HistogramState, value: number): void {
    state.count++;
    state.sum += value;
    // `le` buckets: the first bound at or above the value.
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        state.perBucket[i] = (state.perBucket[i] ?? 0) + 1;
        break;
      }
    }
  }

  /**
   * What prom-client's registry formats, and what its `get()` reads (then moving `sharedLabels`
   * into `labels`): prom-client's own hook, not in its type declarations.
   */
  async getForPromString() {
    const values = [...this.series.all()].flatMap((s) => {
      let cumulative = 0;
      const buckets = this.bounds.map((le, i) => {
        cumulative += s.perBucket[i] ?? 0;
        return { labels: { ...s.labels, le }, value: cumulative, metricName: this.bucketName };
      });
      return [
        ...buckets,
        { labels: { ...s.labels, le: "+Inf" }, value: s.count, metricName: this.bucketName },
        { labels: s.labels, value: s.sum, metricName: `${this.metricName}_sum` },
        { labels: s.labels, value: s.count, metricName: `${this.metricName}_count` },
      ].map((v) => ({ ...v, sharedLabels: {} }));
    });
    return { name: this.metricName, help: this.helpText, type: "histogram", values, aggregator: "sum" };
  }

  /** Zeroed in place: callers keep their series. */
  override reset(): void {
    super.reset();
    for (const s of this.series?.all() ?? []) {
      s.count = 0;
      s.sum = 0;
      s.perBucket.fill(0);
    }
  }
}
