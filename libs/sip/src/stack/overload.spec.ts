/**
 * Load shedding (RFC 3261 §21.5.4, RFC 7339 §5.10.1) on a real stack over loopback UDP: past
 * the limit of server transactions waiting for a final response, a new request gets a
 * stateless 503 with Retry-After and never reaches the TU; retransmissions of admitted
 * requests, in-dialog requests, CANCEL and ACK always pass; once answers go out, new
 * requests are admitted again.
 */
import * as dgram from 'node:dgram';
import {
  createRequest,
  createResponse,
  type SipRequest,
  type SipResponse,
} from '../transport/message-api';
import type { ServerTransaction } from '../transaction/server-transaction';
import { parseMessage } from '../message/parse-message';
import { OverloadPolicy } from './overload';
import { SipStack } from './sip-stack';

function request(
  method: string,
  n: number,
  opts: { toTag?: string; branch?: string; authorization?: string } = {},
): Buffer {
  const branch = opts.branch ?? `z9hG4bK-ovl-${method}-${n}`;
  return createRequest({
    method,
    uri: 'sip:svc@127.0.0.1',
    headers: [
      ['Via', `SIP/2.0/UDP 127.0.0.1:9;branch=${branch};rport`],
      ['Max-Forwards', '70'],
      ['From', '<sip:a@test>;tag=f1'],
      ['To', `<sip:svc@test>${opts.toTag ? `;tag=${opts.toTag}` : ''}`],
      ['Call-ID', `ovl-${n}@test`],
      ['CSeq', `${n} ${method}`],
      ...(opts.authorization ? [['Authorization', opts.authorization] as [string, string]] : []),
    ],
  }).toBuffer();
}

describe('SipStack load shedding', () => {
  let stack: SipStack;
  let peer: dgram.Socket;
  const held: { req: SipRequest; tx?: ServerTransaction }[] = [];
  const replies: SipResponse[] = [];

  beforeEach(async () => {
    held.length = 0;
    replies.length = 0;
    stack = new SipStack({
      host: '127.0.0.1',
      port: 0,
      transports: ['UDP'],
      overload: { maxPendingServerTransactions: 3, retryAfter: 7 },
    });
    // The TU holds every request without answering (a slow downstream).
    stack.setHandler({ onRequest: (req, tx) => held.push({ req, tx }) });
    await stack.start();
    peer = dgram.createSocket('udp4');
    peer.on('message', (m) => replies.push(parseMessage(m) as SipResponse));
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
  });

  afterEach(async () => {
    peer.close();
    await stack.stop();
  });

  const send = (data: Buffer) =>
    new Promise<void>((r) => peer.send(data, stack.port, '127.0.0.1', () => r()));
  const settle = () => new Promise((r) => setTimeout(r, 400));

  it('answers 503 with Retry-After past the limit; the TU never sees the refused request', async () => {
    for (let n = 1; n <= 5; n++) await send(request('REGISTER', n));
    await settle();
    expect(held.map((h) => h.req.cseq().seq)).toEqual([1, 2, 3]);
    expect(replies.map((r) => [r.status, r.cseq().seq, r.get('Retry-After')])).toEqual([
      [503, 4, '7'],
      [503, 5, '7'],
    ]);
    expect(replies[0].to().tag).toBeDefined();
    expect(stack.overload!.stats).toMatchObject({
      shed: 2,
      byReason: { 'pending-transactions': 2 },
    });
  });

  it('lets retransmissions, in-dialog requests, CANCEL and ACK through at the limit', async () => {
    for (let n = 1; n <= 3; n++) await send(request('INVITE', n));
    await settle();
    expect(held).toHaveLength(3);
    await send(request('INVITE', 1)); // retransmission: absorbed by its transaction
    await send(request('BYE', 10, { toTag: 'dlg' })); // in a dialog
    await send(request('CANCEL', 2, { branch: 'z9hG4bK-ovl-INVITE-2' }));
    await send(request('ACK', 11, { toTag: 'dlg' }));
    await settle();
    expect(replies.filter((r) => r.status === 503)).toEqual([]);
    expect(held.map((h) => h.req.method).sort()).toEqual([
      'ACK',
      'BYE',
      'CANCEL',
      'INVITE',
      'INVITE',
      'INVITE',
    ]);
  });

  it('absorbs the ACK for its own 503, and refuses a retransmission with the same To tag', async () => {
    for (let n = 1; n <= 4; n++) await send(request('INVITE', n));
    await settle();
    await send(request('INVITE', 4)); // retransmitted: no transaction, refused again
    await settle();
    const refused = replies.filter((r) => r.status === 503);
    expect(refused.map((r) => r.cseq().seq)).toEqual([4, 4]);
    const tag = refused[0].to().tag!;
    // RFC 3261 §8.2.7: the same tag for the same request.
    expect(refused[1].to().tag).toBe(tag);
    // The upstream client transaction ACKs the 503 hop by hop, with the INVITE's branch.
    await send(request('ACK', 4, { toTag: tag, branch: 'z9hG4bK-ovl-INVITE-4' }));
    // A look-alike tag on another ACK is not ours: it reaches the TU.
    await send(request('ACK', 5, { toTag: tag, branch: 'z9hG4bK-ovl-INVITE-5' }));
    await settle();
    expect(held.filter((h) => h.req.method === 'ACK').map((h) => h.req.callId())).toEqual([
      'ovl-5@test',
    ]);
    expect(stack.statelessTags.acksAbsorbed).toBe(1);
  });

  it('gives requests answering a challenge headroom (half the limit again), not fresh ones', async () => {
    for (let n = 1; n <= 3; n++) await send(request('REGISTER', n));
    const empty = 'Digest username="u", realm="r", nonce="", uri="sip:r", response=""';
    const answer = 'Digest username="u", realm="r", nonce="bm9uY2U=", uri="sip:r", response="0a"';
    await send(request('REGISTER', 4, { authorization: empty })); // an IMS initial REGISTER
    for (let n = 5; n <= 7; n++) await send(request('REGISTER', n, { authorization: answer }));
    await settle();
    // Limit 3 for fresh requests, 3 + 2 for answers to a challenge.
    expect(held.map((h) => h.req.cseq().seq)).toEqual([1, 2, 3, 5, 6]);
    expect(replies.map((r) => [r.status, r.cseq().seq])).toEqual([
      [503, 4],
      [503, 7],
    ]);
  });

  it('admits new requests again once the pending ones are answered', async () => {
    for (let n = 1; n <= 4; n++) await send(request('OPTIONS', n));
    await settle();
    expect(replies.map((r) => r.status)).toEqual([503]);
    for (const h of held) h.tx!.respond(createResponse(h.req, 200, undefined, { toTag: 'ok' }));
    await settle();
    await send(request('OPTIONS', 5));
    await settle();
    expect(held.map((h) => h.req.cseq().seq)).toEqual([1, 2, 3, 5]);
    expect(stack.overload!.pendingCount()).toBe(1);
  });

  it('can be turned off, and refuses bad settings', async () => {
    const free = new SipStack({ host: '127.0.0.1', port: 0, overload: false });
    expect(free.overload).toBeUndefined();
    expect(() => new OverloadPolicy({ maxPendingServerTransactions: -1 })).toThrow(RangeError);
    expect(new OverloadPolicy().settings).toEqual({
      maxPendingServerTransactions: 1000,
      maxEventLoopLagMs: 0,
      retryAfter: 5,
    });
  });

  it('sheds on event-loop lag when a lag limit is set', async () => {
    const policy = new OverloadPolicy({ maxEventLoopLagMs: 50 });
    policy.start();
    try {
      const busyUntil = Date.now() + 300;
      await new Promise((r) => setTimeout(r, 120));
      while (Date.now() < busyUntil) {
        /* block the event loop */
      }
      await new Promise((r) => setTimeout(r, 20));
      const req = parseMessage(request('REGISTER', 1)) as SipRequest;
      expect(policy.check(req)).toBe('event-loop-lag');
      expect(
        policy.check(parseMessage(request('BYE', 2, { toTag: 'x' })) as SipRequest),
      ).toBeUndefined();
    } finally {
      policy.stop();
    }
  });
});
