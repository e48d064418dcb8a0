/**
 * The UE simulator against a scripted registrar on real loopback sockets, checked with the
 * published Digest-AKA vectors (TS 35.208 Test Set 1 subscriber, aka-digest-vectors.json).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  createRequest,
  createResponse,
  generateTag,
  parseCredentials,
  SipRequest,
  SipStack,
  TransportProtocol,
} from '@lib/sip';
import { UeSimulator } from './ue-simulator';

const vectors = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../test/vectors/aka-digest-vectors.json'),
    'utf8',
  ),
);
const sub = vectors.subscriber;
const v1 = vectors.akav1_md5_qop_auth;
const resync = vectors.resync;
const domain = v1.realm as string;
const impi = v1.user as string;
const impu = `sip:${impi}`;

/** A registrar that answers each REGISTER with the next scripted reply. */
async function scriptedRegistrar(
  transport: TransportProtocol,
  replies: ((req: SipRequest) => { status: number; headers?: [string, string][] })[],
) {
  const stack = new SipStack({
    host: '127.0.0.1',
    port: 0,
    transports: [transport],
    timers: { T1: 50 },
  });
  const seen: SipRequest[] = [];
  stack.setHandler({
    onRequest: (req, tx) => {
      seen.push(req);
      const reply = replies[Math.min(seen.length - 1, replies.length - 1)](req);
      const res = createResponse(req, reply.status, undefined, { toTag: generateTag() });
      for (const [n, val] of reply.headers ?? []) res.append(n, val);
      tx?.respond(res);
    },
  });
  await stack.start();
  return { stack, seen };
}

const challenge =
  (nonce = v1.nonce as string) =>
  () => ({
    status: 401,
    headers: [
      [
        'WWW-Authenticate',
        `Digest realm="${domain}", nonce="${nonce}", algorithm=AKAv1-MD5, qop="auth"`,
      ],
    ] as [string, string][],
  });

describe('UeSimulator (IMS AKA, RFC 3310) over real sockets', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function ue(transport: TransportProtocol, port: number, sqnMs?: string) {
    const u = await UeSimulator.start({
      impi,
      impu,
      domain,
      pcscf: { host: '127.0.0.1', port, transport },
      credentials: { k: sub.K, op: sub.OP, sqnMs },
      timers: { T1: 50 },
      cnonce: () => v1.cnonce,
    });
    cleanup.push(() => u.close());
    return u;
  }

  it.each(['UDP', 'TCP'] as TransportProtocol[])(
    'registers over %s: the answer to the challenge is the published AKAv1-MD5 response',
    async (transport) => {
      const reg = await scriptedRegistrar(transport, [
        challenge(),
        () => ({
          status: 200,
          headers: [
            ['P-Associated-URI', `<${impu}>, <sip:+15551230001@${domain}>`],
            ['Service-Route', `<sip:orig@scscf.${domain}:6060;lr>`],
          ],
        }),
      ]);
      cleanup.push(() => reg.stack.stop());
      const u = await ue(transport, reg.stack.port);
      const result = await u.register();

      expect(result.status).toBe(200);
      expect(result.challenges).toBe(1);
      // First REGISTER: TS 24.229 §5.1.1.2.1 empty nonce and response, username = IMPI.
      const first = parseCredentials(reg.seen[0].get('Authorization')!);
      expect(first).toMatchObject({ username: impi, realm: domain, nonce: '', response: '' });
      const second = parseCredentials(reg.seen[1].get('Authorization')!);
      expect(second).toMatchObject({
        username: impi,
        nonce: v1.nonce,
        uri: v1.uri,
        qop: 'auth',
        nc: '00000001',
        cnonce: v1.cnonce,
        algorithm: 'AKAv1-MD5',
        response: v1.response,
      });
      expect(reg.seen[1].cseq().seq).toBe(reg.seen[0].cseq().seq + 1);
      expect(reg.seen[1].callId()).toBe(reg.seen[0].callId());
      expect(result.associatedUris).toEqual([`<${impu}>`, `<sip:+15551230001@${domain}>`]);
      expect(u.serviceRoutes).toEqual([`<sip:orig@scscf.${domain}:6060;lr>`]);
      expect(u.storedSqn!.toString('hex')).toBe(sub.SQN);
      expect(u.trace.summaries()).toEqual([
        '> REGISTER',
        '< 401 Unauthorized',
        '> REGISTER',
        '< 200 OK',
      ]);
    },
  );

  it('answers a stale SQN with AUTS and an empty-password response (RFC 3310 §3.4)', async () => {
    const reg = await scriptedRegistrar('UDP', [challenge(), () => ({ status: 403 })]);
    cleanup.push(() => reg.stack.stop());
    const u = await ue('UDP', reg.stack.port, resync.SQN_MS);
    const result = await u.register();

    expect(result.resynchronised).toBe(true);
    const answer = parseCredentials(reg.seen[1].get('Authorization')!);
    expect(answer.auts).toBe(resync.auts_param);
    expect(answer.response).toBe(resync.response_with_empty_password);
    expect(result.status).toBe(403);
  });

  it('refuses a network whose AUTN MAC is wrong and sends nothing more', async () => {
    const raw = Buffer.from(v1.nonce, 'base64');
    raw[31] ^= 0x01; // last octet of MAC-A
    const reg = await scriptedRegistrar('UDP', [challenge(raw.toString('base64'))]);
    cleanup.push(() => reg.stack.stop());
    const u = await ue('UDP', reg.stack.port);
    const result = await u.register();

    expect(result.networkAuthFailure).toBe('mac');
    expect(reg.seen).toHaveLength(1);
    expect(u.registered).toBe(false);
  });

  it('re-registers by itself before the granted expiry runs out (TS 24.229 §5.1.1.4)', async () => {
    const granted = (req: SipRequest) => ({
      status: 200,
      headers: [['Contact', `${req.get('Contact')!.replace(/;expires=\d+/, '')};expires=1`]] as [
        string,
        string,
      ][],
    });
    const reg = await scriptedRegistrar('UDP', [challenge(), granted, challenge(), granted]);
    cleanup.push(() => reg.stack.stop());
    const u = await ue('UDP', reg.stack.port);
    const first = await u.register({ expires: 1 });
    expect(first.expires).toBe(1);
    u.keepRegistered(first.expires!);
    const deadline = Date.now() + 3000;
    while (u.refreshes.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    u.stopRefreshing();
    expect(u.refreshes.map((r) => r.status)).toContain(200);
    const registers = reg.seen.filter((r) => r.method === 'REGISTER');
    expect(registers.length).toBeGreaterThanOrEqual(4);
    expect(registers[2].callId()).toBe(registers[0].callId());
    expect(registers[2].cseq().seq).toBeGreaterThan(registers[1].cseq().seq);
  });

  it('answers NOTIFY with 200 and hands it to waitForRequest', async () => {
    const reg = await scriptedRegistrar('UDP', [() => ({ status: 200 })]);
    cleanup.push(() => reg.stack.stop());
    const u = await ue('UDP', reg.stack.port);
    const waiting = u.waitForRequest((r) => r.method === 'NOTIFY', 2000);
    const notify = new SipStack({
      host: '127.0.0.1',
      port: 0,
      transports: ['UDP'],
      timers: { T1: 50 },
    });
    await notify.start();
    cleanup.push(() => notify.stop());
    const res = await notify.request(
      createRequest({
        method: 'NOTIFY',
        uri: u.contactUri,
        headers: [
          ['Max-Forwards', '70'],
          ['From', `<sip:scscf@${domain}>;tag=1`],
          ['To', `<${impu}>;tag=2`],
          ['Call-ID', 'n1'],
          ['CSeq', '1 NOTIFY'],
          ['Event', 'reg'],
          ['Subscription-State', 'active'],
        ],
      }),
      { destination: { host: '127.0.0.1', port: u.stack.port, transport: 'UDP' } },
    );
    expect(res.status).toBe(200);
    expect((await waiting).get('Event')).toBe('reg');
  });
});
