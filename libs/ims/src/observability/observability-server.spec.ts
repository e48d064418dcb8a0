import { SipStack } from '@lib/sip';
import { cscfHealth, type HealthReport } from './health';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './metrics-registry';
import { ObservabilityServer } from './observability-server';

describe('ObservabilityServer: GET /health and GET /metrics over real HTTP', () => {
  let stack: SipStack;
  let server: ObservabilityServer;
  let report: () => HealthReport;
  const registry = new MetricsRegistry();
  registry.counter({ name: 'x_total', help: 'x' }).inc();

  beforeAll(async () => {
    stack = new SipStack({ host: '127.0.0.1', port: 0 });
    await stack.start();
    report = () => cscfHealth('pcscf', stack);
    server = new ObservabilityServer({
      host: '127.0.0.1',
      port: 0,
      registry,
      health: () => report(),
    });
    await server.start();
  });

  afterAll(async () => {
    await server.close();
    await stack.stop();
  });

  const url = (p: string) => `http://127.0.0.1:${server.port}${p}`;

  it('health: 200 while the SIP sockets are bound, 503 naming the problem once not', async () => {
    const ok = await fetch(url('/health'));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      status: 'ok',
      role: 'pcscf',
      problems: [],
      sip: { host: '127.0.0.1', port: stack.port, transports: { UDP: true, TCP: true } },
    });
    await stack.stop();
    const down = await fetch(url('/health'));
    expect(down.status).toBe(503);
    expect(((await down.json()) as HealthReport).problems).toEqual([
      'SIP UDP socket not bound',
      'SIP TCP socket not bound',
    ]);
  });

  it('metrics: the registry in the text format', async () => {
    const res = await fetch(url('/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(PROMETHEUS_CONTENT_TYPE);
    expect(await res.text()).toBe('# HELP x_total x\n# TYPE x_total counter\nx_total 1\n');
  });

  it('answers 404 to other paths, 405 to other methods, 500 when a check throws', async () => {
    expect((await fetch(url('/'))).status).toBe(404);
    const post = await fetch(url('/health'), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const saved = report;
    report = () => {
      throw new Error('probe failed');
    };
    const res = await fetch(url('/health'));
    report = saved;
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'probe failed' });
  });

  it('refuses a port in use', async () => {
    const other = new ObservabilityServer({
      host: '127.0.0.1',
      port: server.port,
      registry,
      health: report,
    });
    await expect(other.start()).rejects.toThrow(/EADDRINUSE/);
  });
});
