import {
  createRequest,
  createResponse,
  generateTag,
  SipStack,
  type TransportProtocol,
} from '@lib/sip';
import { formatSipTrace, installSipTrace, sipTraceEntry, type SipTraceEntry } from './sip-trace';

describe('SIP_TRACE', () => {
  const stacks: SipStack[] = [];
  afterEach(async () => {
    for (const s of stacks.splice(0)) await s.stop();
  });

  async function pair() {
    // T1 long enough that a loaded machine never retransmits the UDP request (two lines exactly).
    const traced = new SipStack({ host: '127.0.0.1', port: 0, timers: { T1: 4000 } });
    const peer = new SipStack({ host: '127.0.0.1', port: 0, timers: { T1: 500 } });
    stacks.push(traced, peer);
    await traced.start();
    await peer.start();
    peer.setHandler({
      onRequest: (req, tx) => tx?.respond(createResponse(req, 200, undefined, { toTag: 't' })),
    });
    return { traced, peer };
  }

  const options = (port: number) =>
    createRequest({
      method: 'OPTIONS',
      uri: `sip:127.0.0.1:${port}`,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<sip:a@127.0.0.1>;tag=${generateTag()}`],
        ['To', `<sip:127.0.0.1:${port}>`],
        ['Call-ID', `${generateTag()}@trace`],
        ['CSeq', '1 OPTIONS'],
      ],
    });

  it.each<TransportProtocol>(['UDP', 'TCP'])(
    'logs every message sent and received over %s, with its peer and transport',
    async (transport) => {
      const { traced, peer } = await pair();
      const lines: SipTraceEntry[] = [];
      installSipTrace(traced, { log: (m) => lines.push(m) });
      const res = await traced.request(options(peer.port), {
        destination: { host: '127.0.0.1', port: peer.port, transport },
      });
      expect(res.status).toBe(200);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({
        msg: `SIP >>> ${transport} 127.0.0.1:${peer.port} OPTIONS sip:127.0.0.1:${peer.port} SIP/2.0`,
        trace: 'sip',
        direction: 'out',
        transport,
        peer: `127.0.0.1:${peer.port}`,
        local: `127.0.0.1:${traced.port}`,
      });
      expect(lines[0].sip).toMatch(/^OPTIONS sip:[^]*\r\nCSeq: 1 OPTIONS\r\n/);
      expect(lines[0].bytes).toBe(Buffer.byteLength(lines[0].sip) + 2);
      expect(lines[1]).toMatchObject({
        msg: `SIP <<< ${transport} 127.0.0.1:${peer.port} SIP/2.0 200 OK`,
        direction: 'in',
      });
      expect(lines[1].sip).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    },
  );

  it('stops logging when the returned function is called', async () => {
    const { traced, peer } = await pair();
    const lines: SipTraceEntry[] = [];
    const stop = installSipTrace(traced, { log: (m) => lines.push(m) });
    stop();
    const destination = { host: '127.0.0.1', port: peer.port, transport: 'UDP' as const };
    expect((await traced.request(options(peer.port), { destination })).status).toBe(200);
    expect(lines).toEqual([]);
  });

  it('brackets an IPv6 peer in the entry', () => {
    const data = Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    const e = sipTraceEntry(
      'in',
      data,
      { host: '::1', port: 5060, transport: 'TCP' },
      { host: '::1', port: 6060 },
    );
    expect(e.msg).toBe('SIP <<< TCP [::1]:5060 SIP/2.0 200 OK');
    expect(e.sip).toBe('SIP/2.0 200 OK\r\nContent-Length: 0\r\n');
  });

  it('formats the message text without its final CRLF', () => {
    const data = Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(formatSipTrace('in', data, { host: '::1', port: 5060, transport: 'TCP' })).toBe(
      'SIP <<< TCP ::1:5060\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n',
    );
  });
});
