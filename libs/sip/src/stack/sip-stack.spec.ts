import {
  createRequest,
  createResponse,
  generateTag,
  type SipRequest,
  type SipResponse,
} from '../transport/message-api';
import type { TransportProtocol } from '../transport/transport';
import { SipStack } from './sip-stack';
import { buildAckFor2xx } from './ack-for-2xx';

const FAST = { T1: 20, T2: 160, T4: 200, timerD: 400 };

function options(host: string, to: string): SipRequest {
  return createRequest({
    method: 'OPTIONS',
    uri: to,
    headers: [
      ['Max-Forwards', '70'],
      ['From', `<sip:alice@${host}>;tag=${generateTag()}`],
      ['To', `<${to}>`],
      ['Call-ID', `${generateTag()}@test`],
      ['CSeq', '1 OPTIONS'],
    ],
  });
}

describe('SipStack: a UA pair over real loopback sockets', () => {
  const stacks: SipStack[] = [];
  afterEach(async () => {
    for (const s of stacks.splice(0)) await s.stop();
  });

  async function pair(host: string) {
    const uac = new SipStack({ host, port: 0, timers: FAST });
    const uas = new SipStack({ host, port: 0, timers: FAST });
    stacks.push(uac, uas);
    await uac.start();
    await uas.start();
    const seen: { method: string; transport: string; via: string }[] = [];
    uas.setHandler({
      onRequest: (req, tx, ctx) => {
        seen.push({
          method: req.method,
          transport: ctx.source.transport,
          via: req.getAll('Via')[0],
        });
        tx?.respond(createResponse(req, 200, undefined, { toTag: 'uas' }));
      },
    });
    return { uac, uas, seen };
  }

  for (const host of ['127.0.0.1', '::1']) {
    for (const transport of ['UDP', 'TCP'] as TransportProtocol[]) {
      it(`OPTIONS -> 200 over ${transport} on ${host}, transactions drain`, async () => {
        const { uac, uas, seen } = await pair(host);
        const res = await uac.request(options(host, uas.uri), {
          destination: { host, port: uas.port, transport },
        });
        expect(res.status).toBe(200);
        expect(res.to().tag).toBe('uas');
        expect(seen).toHaveLength(1);
        expect(seen[0].transport).toBe(transport);
        expect(seen[0].via).toContain(`SIP/2.0/${transport}`);
        expect(uac.port).toBe(uac.transportLayer.transport('TCP')!.local.port);
        // Completed -> Terminated after timer K / J (short T1/T4 here).
        await waitFor(() => uac.transactions.count === 0 && uas.transactions.count === 0);
      });
    }
  }

  it('sends a request larger than 1300 bytes over TCP although UDP was asked (RFC 3261 §18.1.1)', async () => {
    const { uac, uas, seen } = await pair('127.0.0.1');
    const req = options('127.0.0.1', uas.uri);
    req.body = Buffer.alloc(1400, 'a');
    req.set('Content-Type', 'text/plain');
    const res = await uac.request(req, {
      destination: { host: '127.0.0.1', port: uas.port, transport: 'UDP' },
    });
    expect(res.status).toBe(200);
    expect(seen[0].transport).toBe('TCP');
    expect(seen[0].via).toMatch(/^SIP\/2\.0\/TCP /);
  });

  it('reuses one TCP connection per destination', async () => {
    const { uac, uas } = await pair('127.0.0.1');
    const dest = { host: '127.0.0.1', port: uas.port, transport: 'TCP' as const };
    for (let i = 0; i < 3; i++)
      expect((await uac.request(options('127.0.0.1', uas.uri), { destination: dest })).status).toBe(
        200,
      );
    const tcp = uac.transportLayer.transport('TCP') as unknown as { connectionCount: number };
    expect(tcp.connectionCount).toBe(1);
  });

  it('retransmits a 2xx to INVITE until the ACK arrives (RFC 3261 §13.3.1.4)', async () => {
    const { uac, uas } = await pair('127.0.0.1');
    let acked: Promise<SipRequest | undefined> | undefined;
    uas.setHandler({
      onRequest: (req, tx) => {
        if (req.method === 'INVITE' && tx) {
          acked = uas.respond2xxReliably(tx, createResponse(req, 200, undefined, { toTag: 'uas' }));
        }
      },
    });
    const invite = options('127.0.0.1', uas.uri);
    invite.method = 'INVITE';
    invite.set('CSeq', '1 INVITE');
    const oks: SipResponse[] = [];
    uac.sendRequest(
      invite,
      { host: '127.0.0.1', port: uas.port, transport: 'UDP' },
      {
        receiveResponse: (r) => r.status === 200 && oks.push(r),
      },
    );
    await waitFor(() => oks.length >= 3); // first 200 and two retransmissions, no ACK yet
    await uac.sendStateless(buildAckFor2xx(invite, oks[0]), {
      host: '127.0.0.1',
      port: uas.port,
      transport: 'UDP',
    });
    const ack = await acked!;
    expect(ack?.method).toBe('ACK');
    const count = oks.length;
    await new Promise((r) => setTimeout(r, 200)); // > T2 of this stack
    expect(oks.length).toBe(count);
  });

  it('gives up retransmitting the 2xx after 64*T1 without ACK', async () => {
    const { uac, uas } = await pair('127.0.0.1');
    let acked: Promise<SipRequest | undefined> | undefined;
    uas.setHandler({
      onRequest: (req, tx) => {
        if (req.method === 'INVITE' && tx)
          acked = uas.respond2xxReliably(tx, createResponse(req, 200, undefined, { toTag: 'uas' }));
      },
    });
    const invite = options('127.0.0.1', uas.uri);
    invite.method = 'INVITE';
    invite.set('CSeq', '1 INVITE');
    uac.sendRequest(invite, { host: '127.0.0.1', port: uas.port, transport: 'UDP' });
    await waitFor(() => acked !== undefined);
    expect(await acked).toBeUndefined();
  });

  it('times out with a local 408 when nobody answers (timer F)', async () => {
    const { uac, uas } = await pair('127.0.0.1');
    uas.setHandler({ onRequest: () => undefined });
    const res = await uac.request(options('127.0.0.1', uas.uri), {
      destination: { host: '127.0.0.1', port: uas.port, transport: 'UDP' },
    });
    expect(res.status).toBe(408);
  });

  it('reports a TCP connect failure as a local 503', async () => {
    const { uac, uas } = await pair('127.0.0.1');
    const port = uas.port;
    await uas.stop();
    const res = await uac.request(options('127.0.0.1', `sip:127.0.0.1:${port}`), {
      destination: { host: '127.0.0.1', port, transport: 'TCP' },
    });
    expect(res.status).toBe(503);
  });
});

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SipStack udpSizeThreshold (RFC 3261 §18.1.1)', () => {
  it.each([
    [undefined, false, 'TCP'],
    [65000, false, 'UDP'],
    // RFC 5626 §5.3: a UE's UDP flow is the only way to reach it.
    [undefined, true, 'UDP'],
  ] as const)(
    'with threshold %s, to a UE flow: %s, a 2000-byte request arrives over %s',
    async (threshold, flow, expected) => {
      const receiver = new SipStack({
        host: '127.0.0.1',
        port: 0,
        transports: ['UDP', 'TCP'],
        timers: FAST,
      });
      const sender = new SipStack({
        host: '127.0.0.1',
        port: 0,
        transports: ['UDP', 'TCP'],
        timers: FAST,
        udpSizeThreshold: threshold,
      });
      const seenOver: boolean[] = [];
      receiver.setHandler({
        onRequest: (req, tx, ctx) => {
          seenOver.push(ctx.reliable);
          tx?.respond(createResponse(req, 200, undefined, { toTag: generateTag() }));
        },
      });
      await receiver.start();
      await sender.start();
      try {
        const req = options('127.0.0.1', `sip:bob@127.0.0.1:${receiver.port}`);
        req.set('Subject', 'x'.repeat(2000));
        const res = await sender.request(req, {
          destination: { host: '127.0.0.1', port: receiver.port, transport: 'UDP', flow },
        });
        expect(res.status).toBe(200);
        expect(seenOver).toEqual([expected === 'TCP']);
      } finally {
        await sender.stop();
        await receiver.stop();
      }
    },
  );
});
