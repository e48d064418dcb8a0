import type { Logger } from '@nestjs/common';
import { createRequest, createResponse, generateTag, SipStack } from '@lib/sip';
import { installSipTrace } from './sip-trace';

describe('SIP_TRACE', () => {
  const stacks: SipStack[] = [];
  afterEach(async () => {
    for (const s of stacks.splice(0)) await s.stop();
  });

  it('logs every message sent and received, with its peer and transport', async () => {
    const traced = new SipStack({ host: '127.0.0.1', port: 0, timers: { T1: 20 } });
    const peer = new SipStack({ host: '127.0.0.1', port: 0, timers: { T1: 20 } });
    stacks.push(traced, peer);
    await traced.start();
    await peer.start();
    peer.setHandler({
      onRequest: (req, tx) => tx?.respond(createResponse(req, 200, undefined, { toTag: 't' })),
    });
    const lines: string[] = [];
    installSipTrace(traced, { log: (m: string) => lines.push(m) } as unknown as Logger);
    const options = createRequest({
      method: 'OPTIONS',
      uri: `sip:127.0.0.1:${peer.port}`,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<sip:a@127.0.0.1>;tag=${generateTag()}`],
        ['To', `<sip:127.0.0.1:${peer.port}>`],
        ['Call-ID', `${generateTag()}@trace`],
        ['CSeq', '1 OPTIONS'],
      ],
    });
    const res = await traced.request(options, {
      destination: { host: '127.0.0.1', port: peer.port, transport: 'UDP' },
    });
    expect(res.status).toBe(200);
    expect(lines[0]).toMatch(
      new RegExp(`^SIP >>> UDP 127\\.0\\.0\\.1:${peer.port}\\nOPTIONS sip:`),
    );
    expect(lines[1]).toMatch(
      new RegExp(`^SIP <<< UDP 127\\.0\\.0\\.1:${peer.port}\\nSIP/2\\.0 200 OK`),
    );
  });
});
