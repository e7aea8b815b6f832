// A small Prometheus registry: counters, gauges and histograms rendered in the text exposition
// format. Recording is a property write on a preallocated object, so it costs nothing per read
// worth measuring, and nothing at all when nobody scrapes.

export type Labels = Readonly<Record<string, string>>;

/** Rewrites a label's value as it is exposed (the series keeps the real one). */
export type LabelRewrite = (label: string, value: string) => string;
const AS_IS: LabelRewrite = (_label, value) => value;

/** One series of a counter or gauge (Counter.series, Gauge.series): record by writing `value`. */
export interface Series {
  readonly labels: Labels;
  value: number;
}

/** How a counter's or gauge's series are labelled. */
export interface MetricOptions {
  /**
   * The labels its series carry. None (the default): one unlabeled series, exported as 0 from
   * creation. Prometheus's increase() and rate() need a sample before the first event: a series
   * that first appears at 1 reads as no increase, so the first failure after each restart went
   * unalerted. A labelled metric has no series until its first event, unless listed in `known`.
   * @default []
   */
  labelNames?: readonly string[];
  /** Label sets known up front (`{ reason: 'other' }`…), exported as 0 from creation like an unlabeled series. @default [] */
  known?: readonly Labels[];
}

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  abstract render(rewrite?: LabelRewrite): string;
}

function renderLabels(labels: Labels, extra?: [string, string], rewrite: LabelRewrite = AS_IS): string {
  const pairs = Object.entries(labels).map(([k, v]): [string, string] => [k, rewrite(k, v)]);
  if (extra !== undefined) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function seriesKey(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

class LabelledValues extends Metric {
  private readonly byKey = new Map<string, Series>();

  constructor(
    name: string,
    help: string,
    private readonly type: 'counter' | 'gauge',
    options: MetricOptions = {},
  ) {
    super(name, help);
    if ((options.labelNames ?? []).length === 0) this.series({});
    for (const labels of options.known ?? []) this.series(labels);
  }

  /**
   * The series of `labels`, created at 0 if new. Kept by a caller that records often for one label
   * set (a camera), so recording is a property write with no key built per event.
   */
  series(labels: Labels): Series {
    const key = seriesKey(labels);
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = { labels, value: 0 };
      this.byKey.set(key, s);
    }
    return s;
  }

  get(labels: Labels = {}): number {
    return this.byKey.get(seriesKey(labels))?.value ?? 0;
  }

  render(rewrite: LabelRewrite = AS_IS): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const s of this.byKey.values()) lines.push(`${this.name}${renderLabels(s.labels, undefined, rewrite)} ${s.value}`);
    return lines.join('\n');
  }
}

export class Counter extends LabelledValues {
  constructor(name: string, help: string, options?: MetricOptions) {
    super(name, help, 'counter', options);
  }

  inc(by = 1, labels: Labels = {}): void {
    this.series(labels).value += by;
  }
}

export class Gauge extends LabelledValues {
  constructor(name: string, help: string, options?: MetricOptions) {
    super(name, help, 'gauge', options);
  }

  set(value: number, labels: Labels = {}): void {
    this.series(labels).value = value;
  }
}

export class Histogram extends Metric {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    name: string,
    help: string,
    /** Upper bounds, ascending. */
    readonly buckets: readonly number[],
  ) {
    super(name, help);
    this.counts = new Float64Array(buckets.length);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const buckets = this.buckets;
    for (let i = 0; i < buckets.length; i++) {
      if (value <= (buckets[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }

  /** The bucket bound below which `q` of the observations fall (Infinity past the last bucket). */
  quantile(q: number): number {
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.counts[i] as number;
      if (seen >= q * this.count) return this.buckets[i] as number;
    }
    return Number.POSITIVE_INFINITY;
  }

  get observations(): number {
    return this.count;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += this.counts[i] as number;
      lines.push(`${this.name}_bucket${renderLabels({}, ['le', String(bound)])} ${cumulative}`);
    });
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join('\n');
  }
}

/**
 * A scrape waits at most this long for the collectors (refreshes that ask NATS or storage); past it
 * the gauges keep their last values. A hung nats-server held every scrape for 15 s, past
 * Prometheus' 10 s default timeout, so the metrics that tell of the outage went missing during it
 * (found by QA).
 */
export const DEFAULT_COLLECT_TIMEOUT_MS = 2_000;

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();
  /** Called before rendering, to refresh gauges that are read rather than pushed (consumer pending). */
  private readonly collectors: Array<() => void | Promise<void>> = [];
  private readonly collectTimeoutMs: number;

  constructor(options: { collectTimeoutMs?: number } = {}) {
    this.collectTimeoutMs = options.collectTimeoutMs ?? DEFAULT_COLLECT_TIMEOUT_MS;
  }

  counter(name: string, help: string, options?: MetricOptions): Counter {
    return this.register(new Counter(name, help, options));
  }

  gauge(name: string, help: string, options?: MetricOptions): Gauge {
    return this.register(new Gauge(name, help, options));
  }

  histogram(name: string, help: string, buckets: readonly number[]): Histogram {
    return this.register(new Histogram(name, help, buckets));
  }

  /** Label values rewritten on the way out, e.g. covert list names (withholdLabelValues). */
  private rewrite: LabelRewrite = AS_IS;

  onCollect(collect: () => void | Promise<void>): void {
    this.collectors.push(collect);
  }

  /**
   * Exposes each of `values` of `label` under an alias instead (`covert-1`, `covert-2`… in sorted
   * order): /metrics answers anyone who can reach it, and a covert list's name must reach no one
   * who is not named for it (README, covert lists). Series stay apart, so alerts still work.
   */
  withholdLabelValues(label: string, values: Iterable<string>, prefix: string): void {
    const aliases = new Map([...new Set(values)].sort().map((v, i) => [v, `${prefix}-${i + 1}`]));
    if (aliases.size === 0) return;
    const previous = this.rewrite;
    this.rewrite = (l, v) => (l === label ? aliases.get(v) ?? previous(l, v) : previous(l, v));
  }

  /** `value` of `label` as /metrics shows it: a covert list's alias, anything else as it is. For logs too. */
  labelValue(label: string, value: string): string {
    return this.rewrite(label, value);
  }

  async render(): Promise<string> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, this.collectTimeoutMs); });
    // Side by side, so one slow source does not hold up the others; a collector that fails is its own to log.
    const collected = Promise.allSettled(this.collectors.map(async (collect) => collect()));
    await Promise.race([collected, late]);
    clearTimeout(timer);
    return [...this.metrics.values()].map((m) => m.render(this.rewrite)).join('\n') + '\n';
  }

  private register<M extends Metric>(metric: M): M {
    const existing = this.metrics.get(metric.name);
    if (existing !== undefined) return existing as M;
    this.metrics.set(metric.name, metric);
    return metric;
  }
}
