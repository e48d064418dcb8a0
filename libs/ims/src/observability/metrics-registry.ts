/**
 * A small metrics registry of our own: counters, gauges and histograms with labels, exposed in
 * the Prometheus text exposition format, version 0.0.4 (prometheus.io/docs/instrumenting/
 * exposition_formats: `# HELP`, `# TYPE`, one `name{label="value"} number` line per series; a
 * histogram is cumulative `_bucket{le="..."}` series ending with `le="+Inf"`, then `_sum` and
 * `_count`).
 */

/** The Content-Type of `GET /metrics` (text format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** `[a-zA-Z_:][a-zA-Z0-9_:]*` (data model: metric names). */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** `[a-zA-Z_][a-zA-Z0-9_]*`; names starting with `__` are reserved. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Latency buckets in seconds, from 1 ms (loopback) to 10 s (beyond every Cx/SIP timeout). */
export const LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export type Labels = Record<string, string>;

export interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

type MetricType = 'counter' | 'gauge' | 'histogram';

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  lines(): string[];
}

export class MetricsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsError';
  }
}

/** A sample value as the text format writes it (`+Inf`, `-Inf`, `NaN`, else a JS number). */
export function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

/** Label values escape `\`, `"` and line feed. */
function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes `\` and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  return `{${names.map((n, i) => `${n}="${escapeLabelValue(values[i])}"`).join(',')}}`;
}

/** The labels of a metric without label names. */
const NO_LABELS: Labels = Object.freeze({}) as Labels;

/** A labelled metric: one series per distinct label value tuple. */
abstract class LabelledMetric<S> implements Metric {
  abstract readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, { values: string[]; state: S }>();
  /**
   * The series again, reached label by label (one Map level per label name, in labelNames
   * order): finding the series of a sample then builds no key string and no array, which
   * matters because the SIP and Diameter metrics record every message.
   */
  private index = new Map<string, unknown>();

  constructor(o: MetricOptions) {
    if (!METRIC_NAME.test(o.name)) throw new MetricsError(`bad metric name "${o.name}"`);
    for (const l of o.labelNames ?? []) {
      if (!LABEL_NAME.test(l) || l.startsWith('__') || l === 'le') {
        throw new MetricsError(`${o.name}: bad label name "${l}"`);
      }
    }
    this.name = o.name;
    this.help = o.help;
    this.labelNames = [...(o.labelNames ?? [])];
  }

  protected abstract initial(): S;

  /** The series of `labels` (created on first use); every label name must be given. */
  protected state(labels: Labels = NO_LABELS): S {
    const names = this.labelNames;
    let given = 0;
    for (const k in labels) if (Object.prototype.hasOwnProperty.call(labels, k)) given++;
    if (given === names.length) {
      let level: Map<string, unknown> = this.index;
      const last = names.length - 1;
      for (let i = 0; i < last; i++) {
        const v = labels[names[i]];
        if (v === undefined) break;
        const next = level.get(v) as Map<string, unknown> | undefined;
        if (next === undefined) break;
        level = next;
      }
      if (last < 0) {
        const hit = level.get('') as S | undefined;
        if (hit !== undefined) return hit;
      } else {
        const v = labels[names[last]];
        const hit = v === undefined ? undefined : (level.get(v) as S | undefined);
        if (hit !== undefined) return hit;
      }
    }
    return this.create(labels);
  }

  /** First sample of a label tuple: validates the labels, adds the series and indexes it. */
  private create(labels: Labels): S {
    const values = this.labelNames.map((n) => {
      const v = labels[n];
      if (v === undefined) throw new MetricsError(`${this.name}: label "${n}" missing`);
      return String(v);
    });
    if (Object.keys(labels).length !== this.labelNames.length) {
      const extra = Object.keys(labels).filter((k) => !this.labelNames.includes(k));
      throw new MetricsError(`${this.name}: unknown label(s) ${extra.join(', ')}`);
    }
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { values, state: this.initial() }));
    let level = this.index;
    for (let i = 0; i < values.length - 1; i++) {
      let next = level.get(values[i]) as Map<string, unknown> | undefined;
      if (next === undefined) level.set(values[i], (next = new Map()));
      level = next;
    }
    level.set(values.length ? values[values.length - 1] : '', s.state);
    return s.state;
  }

  /** Forgets every series (a gauge whose collect callback replaces them). */
  protected clearSeries(): void {
    this.series.clear();
    this.index = new Map();
  }

  abstract lines(): string[];
}

/** A value that only goes up (reset on restart), e.g. `sip_transactions_total`. */
export class Counter extends LabelledMetric<{ value: number }> {
  readonly type = 'counter';

  protected initial() {
    return { value: 0 };
  }

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new MetricsError(`${this.name}: a counter cannot decrease (${by})`);
    this.state(labels).value += by;
  }

  /** Current value of one series (0 when never incremented). */
  get(labels: Labels = {}): number {
    return this.state(labels).value;
  }

  /**
   * The series of one label tuple, created now, as a handle: a caller that counts every
   * message keeps it and increments without looking the labels up again.
   */
  labels(labels: Labels = {}): CounterSeries {
    const s = this.state(labels);
    const name = this.name;
    return {
      inc(by = 1): void {
        if (!(by >= 0)) throw new MetricsError(`${name}: a counter cannot decrease (${by})`);
        s.value += by;
      },
    };
  }

  lines(): string[] {
    return [...this.series.values()].map(
      (s) => `${this.name}${formatLabels(this.labelNames, s.values)} ${formatValue(s.state.value)}`,
    );
  }
}

/** One series of a counter (`Counter.labels`). */
export interface CounterSeries {
  inc(by?: number): void;
}

/** One series of a histogram (`Histogram.labels`). */
export interface HistogramSeries {
  observe(value: number): void;
}

/** What a gauge's collect callback returns: one value, or one per label tuple. */
export type GaugeSamples = number | { labels: Labels; value: number }[];

/** A value that goes up and down; set directly, or read at scrape time by `collect`. */
export class Gauge extends LabelledMetric<{ value: number }> {
  readonly type = 'gauge';

  constructor(
    o: MetricOptions & {
      /** Called at every exposition; its samples replace the stored series. */
      collect?: () => GaugeSamples;
    },
  ) {
    super(o);
    this.collect = o.collect;
  }

  private readonly collect?: () => GaugeSamples;

  protected initial() {
    return { value: 0 };
  }

  set(labels: Labels, value: number): void {
    this.state(labels).value = value;
  }

  inc(labels: Labels = {}, by = 1): void {
    this.state(labels).value += by;
  }

  dec(labels: Labels = {}, by = 1): void {
    this.state(labels).value -= by;
  }

  get(labels: Labels = {}): number {
    return this.state(labels).value;
  }

  lines(): string[] {
    if (this.collect) {
      const samples = this.collect();
      this.clearSeries();
      if (typeof samples === 'number') this.set({}, samples);
      else for (const s of samples) this.set(s.labels, s.value);
    }
    return [...this.series.values()].map(
      (s) => `${this.name}${formatLabels(this.labelNames, s.values)} ${formatValue(s.state.value)}`,
    );
  }
}

interface HistogramState {
  /** Non-cumulative counts per bucket; the last slot is (largest bound, +Inf). */
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted in buckets (`le` upper bounds), with their sum and count. */
export class Histogram extends LabelledMetric<HistogramState> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(o: MetricOptions & { buckets?: readonly number[] }) {
    super(o);
    const b = [...(o.buckets ?? LATENCY_BUCKETS)];
    if (b.length === 0 || b.some((x, i) => !Number.isFinite(x) || (i > 0 && x <= b[i - 1]))) {
      throw new MetricsError(`${o.name}: buckets must be finite and strictly increasing`);
    }
    this.buckets = b;
  }

  protected initial(): HistogramState {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    record(this.buckets, this.state(labels), value);
  }

  /** The series of one label tuple, created now, as a handle (see `Counter.labels`). */
  labels(labels: Labels = {}): HistogramSeries {
    const s = this.state(labels);
    const buckets = this.buckets;
    return { observe: (value: number) => record(buckets, s, value) };
  }

  /** Count and sum of one series. */
  get(labels: Labels = {}): { count: number; sum: number } {
    const s = this.state(labels);
    return { count: s.count, sum: s.sum };
  }

  lines(): string[] {
    const out: string[] = [];
    const bucketLabels = [...this.labelNames, 'le'];
    for (const { values, state } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += state.counts[i];
        out.push(
          `${this.name}_bucket${formatLabels(bucketLabels, [...values, formatValue(b)])} ${cumulative}`,
        );
      });
      out.push(
        `${this.name}_bucket${formatLabels(bucketLabels, [...values, '+Inf'])} ${state.count}`,
      );
      out.push(
        `${this.name}_sum${formatLabels(this.labelNames, values)} ${formatValue(state.sum)}`,
      );
      out.push(`${this.name}_count${formatLabels(this.labelNames, values)} ${state.count}`);
    }
    return out;
  }
}

/** Counts one observation into its bucket (the last slot: above the largest bound). */
function record(buckets: readonly number[], s: HistogramState, value: number): void {
  let i = 0;
  while (i < buckets.length && !(value <= buckets[i])) i++;
  s.counts[i]++;
  s.sum += value;
  s.count++;
}

/** The metrics of one process, exposed together by `GET /metrics`. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter(o: MetricOptions): Counter {
    return this.add(new Counter(o));
  }

  gauge(o: MetricOptions & { collect?: () => GaugeSamples }): Gauge {
    return this.add(new Gauge(o));
  }

  histogram(o: MetricOptions & { buckets?: readonly number[] }): Histogram {
    return this.add(new Histogram(o));
  }

  /** The registered metric of that name. */
  get(name: string): Metric | undefined {
    return this.metrics.get(name);
  }

  private add<M extends Metric>(m: M): M {
    if (this.metrics.has(m.name)) throw new MetricsError(`metric ${m.name} registered twice`);
    this.metrics.set(m.name, m);
    return m;
  }

  /** Every metric in the text format, each family with its HELP and TYPE, a final newline. */
  expose(): string {
    const out: string[] = [];
    for (const m of this.metrics.values()) {
      out.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`);
      out.push(...m.lines());
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }
}

/**
 * The process metrics every role exposes: `process_start_time_seconds` (Prometheus client
 * convention: the start as Unix time), resident memory and heap.
 */
export function registerProcessMetrics(registry: MetricsRegistry): void {
  const start = Date.now() / 1000 - process.uptime();
  registry.gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since unix epoch in seconds.',
    collect: () => Math.round(start * 1000) / 1000,
  });
  registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    collect: () => process.memoryUsage().rss,
  });
  registry.gauge({
    name: 'nodejs_heap_used_bytes',
    help: 'V8 heap in use, in bytes.',
    collect: () => process.memoryUsage().heapUsed,
  });
}
