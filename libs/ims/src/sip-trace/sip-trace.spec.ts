import {
  createRequest,
  createResponse,
  generateTag,
  SipStack,
  type TransportProtocol,
} from '@lib/sip';
import { formatSipTrace, installSipTrace } from './sip-trace';

describe('SIP_TRACE', () => {
  const stacks: SipStack[] = [];
  afterEach(async () => {
    for (const s of stacks.splice(0)) await s.stop();
  });

  async function pair() {
    const traced = new SipStack({ host: '127.0.0.1', port: 0, timers: { T1: 20 } });
    const peer = new SipStack({ host: '127.0.0.1', port: 0, timers: { T1: 20 } });
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
      const lines: string[] = [];
      installSipTrace(traced, { log: (m) => lines.push(m) });
      const res = await traced.request(options(peer.port), {
        destination: { host: '127.0.0.1', port: peer.port, transport },
      });
      expect(res.status).toBe(200);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        new RegExp(`^SIP >>> ${transport} 127\\.0\\.0\\.1:${peer.port}\\nOPTIONS sip:`),
      );
      expect(lines[1]).toMatch(
        new RegExp(`^SIP <<< ${transport} 127\\.0\\.0\\.1:${peer.port}\\nSIP/2\\.0 200 OK`),
      );
    },
  );

  it('stops logging when the returned function is called', async () => {
    const { traced, peer } = await pair();
    const lines: string[] = [];
    const stop = installSipTrace(traced, { log: (m) => lines.push(m) });
    stop();
    const destination = { host: '127.0.0.1', port: peer.port, transport: 'UDP' as const };
    expect((await traced.request(options(peer.port), { destination })).status).toBe(200);
    expect(lines).toEqual([]);
  });

  it('formats the message text without its final CRLF', () => {
    const data = Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    expect(formatSipTrace('in', data, { host: '::1', port: 5060, transport: 'TCP' })).toBe(
      'SIP <<< TCP ::1:5060\nSIP/2.0 200 OK\r\nContent-Length: 0\r\n',
    );
  });
});
