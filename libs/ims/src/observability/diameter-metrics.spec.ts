import { avp, DiameterMessage, ResultCode } from '@lib/diameter';
import { DiameterMetrics } from './diameter-metrics';
import { diameterTraceEntry } from './diameter-trace';
import { MetricsRegistry } from './metrics-registry';
import { parsePrometheusText, sampleValue } from './prometheus-text-parser';

const CX = 16777216;
const conn = { remote: { address: '127.0.0.1', port: 3868 } };

function request(code: number, hbh: number): DiameterMessage {
  return new DiameterMessage({
    commandCode: code,
    applicationId: CX,
    hopByHop: hbh,
    endToEnd: hbh,
    flags: { request: true, proxiable: true },
    avps: [avp('Session-Id', `s;${hbh}`)],
  });
}

function answer(
  req: DiameterMessage,
  result: { code: number; experimental?: boolean },
): DiameterMessage {
  const avps = result.experimental
    ? [
        avp('Experimental-Result', [
          avp('Vendor-Id', 10415),
          avp('Experimental-Result-Code', result.code),
        ]),
      ]
    : [avp('Result-Code', result.code)];
  return new DiameterMessage({
    commandCode: req.commandCode,
    applicationId: CX,
    hopByHop: req.hopByHop,
    endToEnd: req.endToEnd,
    avps: [avp('Session-Id', String(req.sessionId())), ...avps],
  });
}

describe('DiameterMetrics', () => {
  function setup() {
    let now = 0;
    const registry = new MetricsRegistry();
    const m = new DiameterMetrics(registry, { now: () => now, horizonMs: 1000 });
    return { m, registry, tick: (ms: number) => (now += ms) };
  }

  it('pairs requests and answers by Hop-by-Hop id, by command and result code and type', () => {
    const { m, registry, tick } = setup();
    const mar = request(303, 1);
    const uar = request(300, 2);
    m.onMessage('out', mar, conn);
    m.onMessage('out', uar, conn);
    tick(20);
    m.onMessage('in', answer(uar, { code: 2001, experimental: true }), conn);
    m.onMessage('in', answer(mar, { code: ResultCode.SUCCESS }), conn);
    m.onMessage('in', answer(mar, { code: ResultCode.SUCCESS }), conn); // duplicate: ignored
    const sar = request(301, 3);
    m.onMessage('in', sar, conn); // a request we answer
    m.onMessage('out', answer(sar, { code: 5012 }), conn);
    const p = parsePrometheusText(registry.expose());
    const n = (direction: string, command: string, result: string, result_type: string) =>
      sampleValue(p, 'diameter_requests_total', { direction, command, result, result_type });
    expect(n('out', 'MAR', '2001', 'result')).toBe(1);
    expect(n('out', 'UAR', '2001', 'experimental')).toBe(1);
    expect(n('in', 'SAR', '5012', 'result')).toBe(1);
    expect(m.duration.get({ direction: 'out', command: 'MAR' })).toEqual({ count: 1, sum: 0.02 });
  });

  it('labels commands the dictionary does not know "other" (garbage cannot grow the series)', () => {
    const { m, registry } = setup();
    for (let code = 70000; code < 70100; code++) {
      const req = request(code, code);
      m.onMessage('in', req, conn);
      m.onMessage('out', answer(req, { code: 3001 }), conn);
    }
    const p = parsePrometheusText(registry.expose());
    expect(
      sampleValue(p, 'diameter_requests_total', {
        direction: 'in',
        command: 'other',
        result: '3001',
        result_type: 'result',
      }),
    ).toBe(100);
    expect(registry.expose()).not.toContain('command="70000"');
  });

  it('counts an unanswered request as result "none" after the horizon', () => {
    const { m, tick } = setup();
    m.onMessage('out', request(302, 7), conn);
    tick(2000);
    m.sweep();
    expect(
      m.requests.get({ direction: 'out', command: 'LIR', result: 'none', result_type: 'none' }),
    ).toBe(1);
  });

  it('the trace entry names the command, the peer and the result', () => {
    const mar = request(303, 9);
    expect(diameterTraceEntry('out', mar, conn)).toMatchObject({
      msg: 'Diameter >>> MAR 127.0.0.1:3868',
      command: 'MAR',
      hopByHop: 9,
      sessionId: 's;9',
    });
    const maa = diameterTraceEntry('in', answer(mar, { code: 2001 }), conn);
    expect(maa).toMatchObject({
      msg: 'Diameter <<< MAA 127.0.0.1:3868 2001',
      resultCode: 2001,
      experimental: false,
    });
    expect((maa.diameter as { command: string }).command).toBe('Multimedia-Auth-Answer');
  });
});
