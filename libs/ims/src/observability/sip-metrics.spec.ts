import { createRequest, createResponse, generateTag, SipStack, type Destination } from '@lib/sip';
import { MetricsRegistry } from './metrics-registry';
import { parsePrometheusText, sampleValue } from './prometheus-text-parser';
import { SipMetrics } from './sip-metrics';

function request(method: string, port: number, extra: [string, string][] = []) {
  return createRequest({
    method,
    uri: `sip:127.0.0.1:${port}`,
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<sip:a@127.0.0.1>;tag=${generateTag()}`],
      ['To', `<sip:b@127.0.0.1:${port}>`],
      ['Call-ID', `${generateTag()}@metrics`],
      ['CSeq', `1 ${method}`],
      ...extra,
    ],
  });
}

describe('SipMetrics over real stacks (tracer hook)', () => {
  const stacks: SipStack[] = [];
  afterEach(async () => {
    for (const s of stacks.splice(0)) await s.stop();
  });

  it.each(['UDP', 'TCP'] as const)(
    'counts client and server transactions by method and final code over %s',
    async (transport) => {
      const a = new SipStack({ host: '127.0.0.1', port: 0, timers: { T1: 500 } });
      const b = new SipStack({ host: '127.0.0.1', port: 0, timers: { T1: 500 } });
      stacks.push(a, b);
      await a.start();
      await b.start();
      b.setHandler({
        onRequest: (req, tx) =>
          tx?.respond(
            createResponse(req, req.method === 'OPTIONS' ? 200 : 404, undefined, { toTag: 't' }),
          ),
      });
      a.setHandler({
        onRequest: (req, tx) => {
          tx?.respond(createResponse(req, 100));
          tx?.respond(createResponse(req, 486, undefined, { toTag: 'u' }));
        },
      });
      const registry = new MetricsRegistry();
      const m = new SipMetrics(registry);
      m.observe(a);
      const to = (s: SipStack): Destination => ({ host: '127.0.0.1', port: s.port, transport });
      expect((await a.request(request('OPTIONS', b.port), { destination: to(b) })).status).toBe(
        200,
      );
      expect((await a.request(request('OPTIONS', b.port), { destination: to(b) })).status).toBe(
        200,
      );
      expect((await a.request(request('MESSAGE', b.port), { destination: to(b) })).status).toBe(
        404,
      );
      expect((await b.request(request('MESSAGE', a.port), { destination: to(a) })).status).toBe(
        486,
      );

      const p = parsePrometheusText(registry.expose());
      const tx = (direction: string, method: string, code: string) =>
        sampleValue(p, 'sip_transactions_total', { direction, method, code });
      expect(tx('out', 'OPTIONS', '200')).toBe(2);
      expect(tx('out', 'MESSAGE', '404')).toBe(1);
      expect(tx('in', 'MESSAGE', '486')).toBe(1);
      expect(
        sampleValue(p, 'sip_transaction_duration_seconds_count', {
          direction: 'out',
          method: 'OPTIONS',
        }),
      ).toBe(2);
      expect(
        sampleValue(p, 'sip_messages_total', { direction: 'out', kind: 'request', transport }),
      ).toBe(3);
      // The 100 Trying counts as a message, not as the transaction's outcome.
      expect(
        sampleValue(p, 'sip_messages_total', { direction: 'out', kind: 'response', transport }),
      ).toBe(2);
      expect(m.pendingCount).toBe(0);
    },
  );
});

describe('SipMetrics pairing rules', () => {
  const remote: Destination = { host: '127.0.0.1', port: 5070, transport: 'UDP' };
  const msg = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n\r\n`);
  const common = (branch: string, cseq: string) => [
    `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=${branch}`,
    'From: <sip:u@x>;tag=1',
    'To: <sip:u@x>',
    'Call-ID: c1',
    `CSeq: ${cseq}`,
    'Content-Length: 0',
  ];
  const register = (branch: string) =>
    msg(['REGISTER sip:x SIP/2.0', ...common(branch, '1 REGISTER'), 'Contact: <sip:u@1.2.3.4>']);
  const response = (branch: string, status: string, extra: string[] = []) =>
    msg([`SIP/2.0 ${status}`, ...common(branch, '1 REGISTER'), ...extra]);

  function metrics() {
    let now = 1000;
    const registry = new MetricsRegistry();
    const m = new SipMetrics(registry, { now: () => now, horizonMs: 5000 });
    return { m, registry, tick: (ms: number) => (now += ms) };
  }

  it('counts a retransmitted request and final response once, and the REGISTER outcomes', () => {
    const { m, tick } = metrics();
    m.onMessage('in', register('z9hG4bK1'), remote);
    tick(50);
    m.onMessage('in', register('z9hG4bK1'), remote); // retransmission
    m.onMessage('out', response('z9hG4bK1', '401 Unauthorized'), remote);
    m.onMessage('out', response('z9hG4bK1', '401 Unauthorized'), remote); // retransmission
    // A late retransmission of the request, answered again by the server transaction.
    m.onMessage('in', register('z9hG4bK1'), remote);
    m.onMessage('out', response('z9hG4bK1', '401 Unauthorized'), remote);
    m.onMessage('in', register('z9hG4bK2'), remote);
    m.onMessage(
      'out',
      response('z9hG4bK2', '200 OK', ['Contact: <sip:u@1.2.3.4>;expires=600']),
      remote,
    );
    m.onMessage('in', register('z9hG4bK3'), remote);
    m.onMessage(
      'out',
      response('z9hG4bK3', '200 OK', ['Contact: <sip:u@1.2.3.4>;expires=0']),
      remote,
    );
    m.onMessage('in', register('z9hG4bK4'), remote);
    m.onMessage('out', response('z9hG4bK4', '403 Forbidden'), remote);
    expect(m.transactions.get({ direction: 'in', method: 'REGISTER', code: '401' })).toBe(1);
    expect(m.pendingCount).toBe(0);
    expect(m.duration.get({ direction: 'in', method: 'REGISTER' })).toEqual({
      count: 4,
      sum: 0.05,
    });
    expect(m.registerOutcomes.get({ outcome: 'challenged' })).toBe(1);
    expect(m.registerOutcomes.get({ outcome: 'registered' })).toBe(1);
    expect(m.registerOutcomes.get({ outcome: 'deregistered' })).toBe(1);
    expect(m.registerOutcomes.get({ outcome: 'rejected' })).toBe(1);
  });

  it('forgets a transaction completed over TCP at once, keeps one over UDP for its retransmissions', () => {
    const { m, tick } = metrics();
    const tcp: Destination = { ...remote, transport: 'TCP' };
    m.onMessage('in', register('z9hG4bK5'), tcp);
    m.onMessage('out', response('z9hG4bK5', '401 Unauthorized'), tcp);
    expect(m.trackedCount).toBe(0);
    m.onMessage('out', register('z9hG4bK6'), tcp);
    m.onMessage('in', response('z9hG4bK6', '200 OK'), tcp);
    expect(m.trackedCount).toBe(0);
    m.onMessage('in', register('z9hG4bK7'), remote);
    m.onMessage('out', response('z9hG4bK7', '401 Unauthorized'), remote);
    expect(m.trackedCount).toBe(1);
    // A retransmission over UDP is absorbed, not a new transaction.
    m.onMessage('in', register('z9hG4bK7'), remote);
    m.onMessage('out', response('z9hG4bK7', '401 Unauthorized'), remote);
    expect(m.transactions.get({ direction: 'in', method: 'REGISTER', code: '401' })).toBe(2);
    expect(m.transactions.get({ direction: 'out', method: 'REGISTER', code: '200' })).toBe(1);
    expect(m.pendingCount).toBe(0);
    tick(41_000);
    m.sweep();
    expect(m.trackedCount).toBe(0);
  });

  it('counts a transaction without final response as code "none" after the horizon', () => {
    const { m, tick } = metrics();
    m.onMessage('out', register('z9hG4bK9'), remote);
    tick(6000);
    m.sweep();
    expect(m.transactions.get({ direction: 'out', method: 'REGISTER', code: 'none' })).toBe(1);
    m.onMessage('in', response('z9hG4bK9', '200 OK'), remote); // too late: not counted again
    expect(m.transactions.get({ direction: 'out', method: 'REGISTER', code: '200' })).toBe(0);
  });

  it('counts malformed input and ignores keep-alives', () => {
    const { m } = metrics();
    m.onMessage('in', Buffer.from('\r\n\r\n'), remote);
    m.onMessage('in', Buffer.from('NOT SIP AT ALL\r\n\r\n'), remote);
    expect(m.messages.get({ direction: 'in', kind: 'malformed', transport: 'UDP' })).toBe(1);
    expect(m.messages.get({ direction: 'in', kind: 'request', transport: 'UDP' })).toBe(0);
  });
});
