/**
 * A strict reader of the Prometheus text exposition format 0.0.4, to check what `GET /metrics`
 * serves (no `promtool` here): every rule of the format the registry relies on is enforced,
 * and the first violation throws a PrometheusFormatError naming the line.
 *
 * - Lines end with `\n`, the last one included; no blank lines, no `\r`.
 * - `# HELP name text` and `# TYPE name counter|gauge|histogram|summary|untyped`, at most once
 *   each per family, before its samples; families are not interleaved.
 * - `name{label="value",...} value [timestamp]`: name and label syntax, escapes `\\ \" \n`
 *   only, no duplicate label, no duplicate series, value a float or `+Inf`/`-Inf`/`NaN`.
 * - Counters and histogram counts are >= 0 and counter names end with `_total` (the OpenMetrics
 *   convention we follow).
 * - Histograms: `_bucket` series with `le`, non-decreasing in `le` order, ending with
 *   `le="+Inf"`, whose value equals `_count`; `_sum` and `_count` present for every label set.
 */

export class PrometheusFormatError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'PrometheusFormatError';
  }
}

export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface PromFamily {
  name: string;
  type: string;
  help?: string;
  samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseNumber(raw: string, line: number): number {
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  if (raw === 'NaN') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) {
    throw new PrometheusFormatError(`bad value "${raw}"`, line);
  }
  return Number(raw);
}

/** `{a="x",b="y"}` starting at `text[i] === '{'`; returns the labels and the index after `}`. */
function parseLabels(
  text: string,
  start: number,
  line: number,
): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  if (text[i] === '}') return { labels, end: i + 1 };
  for (;;) {
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!m) throw new PrometheusFormatError(`bad label name at column ${i + 1}`, line);
    const name = m[0];
    if (name in labels) throw new PrometheusFormatError(`duplicate label "${name}"`, line);
    i += name.length;
    if (text[i] !== '=' || text[i + 1] !== '"') {
      throw new PrometheusFormatError(`expected ="value" after label "${name}"`, line);
    }
    i += 2;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new PrometheusFormatError('unterminated label value', line);
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === '\\') value += '\\';
        else if (e === '"') value += '"';
        else if (e === 'n') value += '\n';
        else throw new PrometheusFormatError(`bad escape \\${e ?? ''} in label value`, line);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    i++;
    if (text[i] === ',') {
      i++;
      if (text[i] === '}') return { labels, end: i + 1 };
      continue;
    }
    if (text[i] === '}') return { labels, end: i + 1 };
    throw new PrometheusFormatError(`expected , or } at column ${i + 1}`, line);
  }
}

/** The family a sample name belongs to (histogram/summary suffixes stripped when declared). */
function familyOf(name: string, families: Map<string, PromFamily>): PromFamily | undefined {
  const exact = families.get(name);
  if (exact) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const f = families.get(name.slice(0, -suffix.length));
      if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
    }
  }
  return undefined;
}

/** Parses and validates an exposition; throws PrometheusFormatError on the first violation. */
export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (text.length > 0 && !text.endsWith('\n')) {
    throw new PrometheusFormatError('the exposition must end with a line feed');
  }
  if (text.includes('\r')) throw new PrometheusFormatError('carriage return in exposition');
  const families = new Map<string, PromFamily>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: PromFamily | undefined;
  const lines = text.split('\n').slice(0, -1);
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    if (raw.trim() === '') throw new PrometheusFormatError('blank line', line);
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m;
      if (!METRIC_NAME.test(name))
        throw new PrometheusFormatError(`bad metric name "${name}"`, line);
      let f = families.get(name);
      if (f && closed.has(name)) {
        throw new PrometheusFormatError(`${kind} for ${name} after its family ended`, line);
      }
      if (!f) {
        if (current) closed.add(current.name);
        f = { name, type: 'untyped', samples: [] };
        families.set(name, f);
        current = f;
      }
      if (f.samples.length > 0) {
        throw new PrometheusFormatError(`${kind} for ${name} after its samples`, line);
      }
      if (kind === 'HELP') {
        if (f.help !== undefined) throw new PrometheusFormatError(`second HELP for ${name}`, line);
        if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ''))) {
          throw new PrometheusFormatError(`bad escape in HELP of ${name}`, line);
        }
        f.help = rest.replace(/\\(\\|n)/g, (_, e: string) => (e === 'n' ? '\n' : '\\'));
      } else {
        if (!TYPES.has(rest)) throw new PrometheusFormatError(`unknown TYPE "${rest}"`, line);
        if ((f as PromFamily & { typed?: boolean }).typed) {
          throw new PrometheusFormatError(`second TYPE for ${name}`, line);
        }
        (f as PromFamily & { typed?: boolean }).typed = true;
        f.type = rest;
      }
      return;
    }
    const nm = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(raw);
    if (!nm) throw new PrometheusFormatError('bad metric name', line);
    const name = nm[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    if (raw[i] === '{') ({ labels, end: i } = parseLabels(raw, i, line));
    for (const l of Object.keys(labels)) {
      if (!LABEL_NAME.test(l) || l.startsWith('__')) {
        throw new PrometheusFormatError(`reserved label name "${l}"`, line);
      }
    }
    if (raw[i] !== ' ') throw new PrometheusFormatError('expected a space before the value', line);
    const parts = raw.slice(i + 1).split(' ');
    if (parts.length > 2 || parts[0] === '') {
      throw new PrometheusFormatError('expected "value [timestamp]"', line);
    }
    const value = parseNumber(parts[0], line);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) {
      throw new PrometheusFormatError(`bad timestamp "${parts[1]}"`, line);
    }
    let f = familyOf(name, families);
    if (!f) {
      // An untyped sample starts its own family.
      if (current) closed.add(current.name);
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
    } else if (closed.has(f.name)) {
      throw new PrometheusFormatError(`sample of ${f.name} after its family ended`, line);
    }
    current = f;
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new PrometheusFormatError(`duplicate series ${raw}`, line);
    seen.add(key);
    if (f.type === 'counter') {
      if (!f.name.endsWith('_total')) {
        throw new PrometheusFormatError(`counter ${f.name} does not end with _total`, line);
      }
      if (!(value >= 0)) throw new PrometheusFormatError(`negative counter ${raw}`, line);
    }
    if (f.type === 'histogram' && name === f.name) {
      throw new PrometheusFormatError(`bare sample ${name} of a histogram`, line);
    }
    f.samples.push({ name, labels, value });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f: PromFamily): void {
  const groups = new Map<
    string,
    { buckets: { le: number; value: number }[]; sum?: number; count?: number }
  >();
  const group = (labels: Record<string, string>) => {
    const rest = Object.entries(labels)
      .filter(([k]) => k !== 'le')
      .sort();
    const key = JSON.stringify(rest);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { buckets: [] }));
    return g;
  };
  for (const s of f.samples) {
    const g = group(s.labels);
    if (s.name.endsWith('_bucket')) {
      if (s.labels.le === undefined) {
        throw new PrometheusFormatError(`${f.name}: bucket without le`);
      }
      g.buckets.push({ le: parseNumber(s.labels.le, 0), value: s.value });
    } else if (s.name.endsWith('_sum')) g.sum = s.value;
    else if (s.name.endsWith('_count')) g.count = s.value;
  }
  for (const [key, g] of groups) {
    const where = `${f.name}${key}`;
    if (g.count === undefined || g.sum === undefined) {
      throw new PrometheusFormatError(`${where}: _sum and _count are required`);
    }
    const last = g.buckets[g.buckets.length - 1];
    if (!last || last.le !== Infinity) {
      throw new PrometheusFormatError(`${where}: the last bucket must be le="+Inf"`);
    }
    for (let i = 1; i < g.buckets.length; i++) {
      if (!(g.buckets[i].le > g.buckets[i - 1].le)) {
        throw new PrometheusFormatError(`${where}: buckets not in increasing le order`);
      }
      if (g.buckets[i].value < g.buckets[i - 1].value) {
        throw new PrometheusFormatError(`${where}: bucket counts are not cumulative`);
      }
    }
    if (last.value !== g.count) {
      throw new PrometheusFormatError(`${where}: le="+Inf" (${last.value}) != _count (${g.count})`);
    }
  }
}

/** The value of the series with exactly these labels, or 0 when absent (never moved). */
export function sampleValue(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  const want = JSON.stringify(Object.entries(labels).sort());
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want) {
        return s.value;
      }
    }
  }
  return 0;
}

/** Sum over every series of `name` whose labels include `labels`. */
export function sampleSum(
  families: Map<string, PromFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  let total = 0;
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) {
        total += s.value;
      }
    }
  }
  return total;
}
