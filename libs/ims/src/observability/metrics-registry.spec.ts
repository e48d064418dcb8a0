import { MetricsError, MetricsRegistry, registerProcessMetrics } from './metrics-registry';
import {
  parsePrometheusText,
  PrometheusFormatError,
  sampleSum,
  sampleValue,
} from './prometheus-text-parser';

describe('MetricsRegistry: Prometheus text exposition format 0.0.4', () => {
  it('writes HELP, TYPE and one line per series, escaping label values and help', () => {
    const r = new MetricsRegistry();
    const c = r.counter({
      name: 'sip_transactions_total',
      help: 'SIP transactions\nby code \\ method',
      labelNames: ['method', 'code'],
    });
    c.inc({ method: 'REGISTER', code: '200' });
    c.inc({ method: 'REGISTER', code: '200' }, 2);
    c.inc({ method: 'MESSAGE "x"\n\\', code: '404' });
    expect(r.expose()).toBe(
      [
        '# HELP sip_transactions_total SIP transactions\\nby code \\\\ method',
        '# TYPE sip_transactions_total counter',
        'sip_transactions_total{method="REGISTER",code="200"} 3',
        'sip_transactions_total{method="MESSAGE \\"x\\"\\n\\\\",code="404"} 1',
        '',
      ].join('\n'),
    );
    const parsed = parsePrometheusText(r.expose());
    expect(
      sampleValue(parsed, 'sip_transactions_total', { method: 'MESSAGE "x"\n\\', code: '404' }),
    ).toBe(1);
    expect(parsed.get('sip_transactions_total')?.help).toBe('SIP transactions\nby code \\ method');
  });

  it('writes cumulative histogram buckets ending with +Inf, then _sum and _count', () => {
    const r = new MetricsRegistry();
    const h = r.histogram({
      name: 'cx_seconds',
      help: 'h',
      labelNames: ['command'],
      buckets: [0.1, 1],
    });
    h.observe({ command: 'MAR' }, 0.05);
    h.observe({ command: 'MAR' }, 0.5);
    h.observe({ command: 'MAR' }, 3);
    expect(r.expose().split('\n')).toEqual([
      '# HELP cx_seconds h',
      '# TYPE cx_seconds histogram',
      'cx_seconds_bucket{command="MAR",le="0.1"} 1',
      'cx_seconds_bucket{command="MAR",le="1"} 2',
      'cx_seconds_bucket{command="MAR",le="+Inf"} 3',
      'cx_seconds_sum{command="MAR"} 3.55',
      'cx_seconds_count{command="MAR"} 3',
      '',
    ]);
    expect(
      sampleValue(parsePrometheusText(r.expose()), 'cx_seconds_count', { command: 'MAR' }),
    ).toBe(3);
  });

  it('reads gauges at scrape time through collect', () => {
    const r = new MetricsRegistry();
    let n = 1;
    r.gauge({ name: 'ims_registrations', help: 'held', collect: () => n });
    r.gauge({
      name: 'peers',
      help: 'by state',
      labelNames: ['state'],
      collect: () => [
        { labels: { state: 'open' }, value: n },
        { labels: { state: 'closed' }, value: 0 },
      ],
    });
    expect(sampleValue(parsePrometheusText(r.expose()), 'ims_registrations')).toBe(1);
    n = 4;
    const p = parsePrometheusText(r.expose());
    expect(sampleValue(p, 'ims_registrations')).toBe(4);
    expect(sampleSum(p, 'peers')).toBe(4);
    registerProcessMetrics(r);
    expect(
      sampleValue(parsePrometheusText(r.expose()), 'process_resident_memory_bytes'),
    ).toBeGreaterThan(0);
  });

  it('finds each label tuple its own series, whatever order the labels are given in', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'm_total', help: 'h', labelNames: ['a', 'b', 'c'] });
    for (let i = 0; i < 3; i++) {
      c.inc({ a: 'x', b: 'y', c: 'z' });
      c.inc({ c: 'z', b: 'y', a: 'x' });
      c.inc({ a: 'x', b: 'y', c: 'w' });
      c.inc({ a: 'y', b: 'x', c: 'z' });
    }
    expect(c.get({ a: 'x', b: 'y', c: 'z' })).toBe(6);
    expect(c.get({ a: 'x', b: 'y', c: 'w' })).toBe(3);
    expect(c.get({ a: 'y', b: 'x', c: 'z' })).toBe(3);
    expect(c.get({ a: 'y', b: 'y', c: 'y' })).toBe(0);
    expect(sampleSum(parsePrometheusText(r.expose()), 'm_total')).toBe(12);
    const plain = r.counter({ name: 'n_total', help: 'h' });
    plain.inc();
    plain.inc({}, 2);
    expect(plain.get()).toBe(3);
    const h = r.histogram({ name: 'd_seconds', help: 'h', labelNames: ['m'], buckets: [1, 2] });
    h.observe({ m: 'A' }, 0.5);
    h.observe({ m: 'A' }, 1.5);
    h.observe({ m: 'A' }, 9);
    h.observe({ m: 'B' }, 2);
    expect(h.get({ m: 'A' })).toEqual({ count: 3, sum: 11 });
    const text = r.expose();
    expect(text).toContain('d_seconds_bucket{m="A",le="1"} 1');
    expect(text).toContain('d_seconds_bucket{m="A",le="2"} 2');
    expect(text).toContain('d_seconds_bucket{m="B",le="2"} 1');
  });

  it('labels() handles count into the same series as inc/observe with those labels', () => {
    const r = new MetricsRegistry();
    const c = r.counter({ name: 'm_total', help: 'h', labelNames: ['a', 'b'] });
    const xy = c.labels({ a: 'x', b: 'y' });
    xy.inc();
    xy.inc(2);
    c.inc({ b: 'y', a: 'x' });
    expect(c.get({ a: 'x', b: 'y' })).toBe(4);
    expect(c.labels({ a: 'x', b: 'z' })).toBeDefined(); // created at 0, exposed
    expect(r.expose()).toContain('m_total{a="x",b="z"} 0');
    expect(() => xy.inc(-1)).toThrow(MetricsError);
    expect(() => c.labels({ a: 'x' })).toThrow(MetricsError);
    const h = r.histogram({ name: 'd_seconds', help: 'h', labelNames: ['m'], buckets: [1, 2] });
    const a = h.labels({ m: 'A' });
    a.observe(0.5);
    a.observe(9);
    h.observe({ m: 'A' }, 1.5);
    expect(h.get({ m: 'A' })).toEqual({ count: 3, sum: 11 });
    expect(r.expose()).toContain('d_seconds_bucket{m="A",le="2"} 2');
  });

  it.each([
    () => new MetricsRegistry().counter({ name: '1bad', help: '' }),
    () => new MetricsRegistry().counter({ name: 'x_total', help: '', labelNames: ['__reserved'] }),
    () => new MetricsRegistry().histogram({ name: 'h', help: '', labelNames: ['le'] }),
    () => new MetricsRegistry().histogram({ name: 'h', help: '', buckets: [1, 1] }),
    () => new MetricsRegistry().counter({ name: 'c_total', help: '' }).inc({}, -1),
    () => new MetricsRegistry().counter({ name: 'c_total', help: '', labelNames: ['a'] }).inc({}),
    () => new MetricsRegistry().counter({ name: 'c_total', help: '' }).inc({ b: 'x' }),
    () => {
      const c = new MetricsRegistry().counter({ name: 'c_total', help: '', labelNames: ['a'] });
      c.inc({ a: 'x' });
      c.inc({ b: 'x' }); // as many labels as the known series, but not its name
    },
    () => {
      const r = new MetricsRegistry();
      r.gauge({ name: 'g', help: '' });
      r.gauge({ name: 'g', help: '' });
    },
  ])('refuses misuse (%#)', (misuse) => {
    expect(misuse).toThrow(MetricsError);
  });
});

describe('parsePrometheusText: the strict checker the tests use', () => {
  const ok = '# HELP a_total x\n# TYPE a_total counter\na_total{x="1"} 2\n';

  it('accepts what the format allows: comments, untyped samples, timestamps, special values', () => {
    const text = `# a comment\n${ok}# TYPE g gauge\ng +Inf\ng{a="b"} NaN 1700000000000\nu 1e-3\n`;
    const f = parsePrometheusText(text);
    expect(f.get('g')?.samples.map((s) => s.value)).toEqual([Infinity, NaN]);
    expect(f.get('u')?.type).toBe('untyped');
  });

  it.each([
    ['no final newline', ok.slice(0, -1)],
    ['a blank line', `${ok}\n`],
    ['CRLF', ok.replace(/\n/g, '\r\n')],
    ['a bad value', '# TYPE g gauge\ng abc\n'],
    ['a bad label escape', '# TYPE g gauge\ng{a="\\x"} 1\n'],
    ['an unterminated label value', '# TYPE g gauge\ng{a="x} 1\n'],
    ['a duplicate label', '# TYPE g gauge\ng{a="1",a="2"} 1\n'],
    ['a duplicate series', '# TYPE g gauge\ng{a="1"} 1\ng{a="1"} 2\n'],
    ['TYPE after samples', '# HELP g x\ng 1\n# TYPE g gauge\n'],
    ['a second TYPE', '# TYPE g gauge\n# TYPE g gauge\ng 1\n'],
    ['an unknown TYPE', '# TYPE g meter\ng 1\n'],
    ['interleaved families', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x="1"} 2\n'],
    ['a negative counter', '# TYPE c_total counter\nc_total -1\n'],
    ['a counter without _total', '# TYPE c counter\nc 1\n'],
    ['a missing space before the value', '# TYPE g gauge\ng{a="1"}1\n'],
    ['histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    [
      'histogram not cumulative',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
    ['histogram +Inf != count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'],
    ['histogram without _count', '# TYPE h histogram\nh_bucket{le="+Inf"} 1\nh_sum 1\n'],
    ['a bare histogram sample', '# TYPE h histogram\nh 1\n'],
  ])('rejects %s', (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow(PrometheusFormatError);
  });
});
