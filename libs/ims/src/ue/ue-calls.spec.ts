/**
 * The UE simulator's call API: two (or three) UEs on real loopback sockets, talking through
 * a tiny record-routing ProxyCore (libs/sip) that forwards by Request-URI (the UEs call each
 * other's Contact), so nothing here depends on the CSCFs' routing.
 */
import {
  buildAckFor2xx,
  createRequest,
  createResponse,
  generateTag,
  ProxyCore,
  SipRequest,
  SipResponse,
  SipStack,
  TransportProtocol,
} from '@lib/sip';
import { parseSdp } from './sdp';
import type { AutoAnswer } from './call-api';
import { UeSimulator } from './ue-simulator';

jest.setTimeout(20000);

/**
 * The UE's trace summaries without retransmissions (a message whose bytes equal an earlier
 * one's: a 2xx re-sent before the ACK arrived and the re-sent ACK, RFC 3261 §13.2.2.4).
 */
function distinct(u: UeSimulator): string[] {
  const seen = new Set<string>();
  return u.trace.entries
    .filter((e) => {
      const key = `${e.direction} ${e.text}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((e) => `${e.direction === 'out' ? '>' : '<'} ${e.summary}`);
}

const HOST = '127.0.0.1';
const T1 = 50;

describe('UeSimulator calls (RFC 3261 §12-15, RFC 3515, RFC 3428) over real sockets', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  async function proxy(): Promise<{ stack: SipStack; port: number }> {
    const stack = new SipStack({ host: HOST, port: 0, timers: { T1 } });
    new ProxyCore(stack).attach();
    await stack.start();
    cleanup.push(() => stack.stop());
    return { stack, port: stack.port };
  }

  async function ue(
    name: string,
    port: number,
    transport: TransportProtocol,
    autoAnswer?: AutoAnswer,
  ): Promise<UeSimulator> {
    const u = await UeSimulator.start({
      impi: `${name}@example.com`,
      impu: `sip:${name}@example.com`,
      domain: 'example.com',
      pcscf: { host: HOST, port, transport },
      credentials: { password: 'x' },
      timers: { T1 },
      autoAnswer,
    });
    cleanup.push(() => u.close());
    return u;
  }

  /** Alice and Bob behind one proxy, over `transport`. */
  async function pair(transport: TransportProtocol = 'UDP') {
    const p = await proxy();
    const alice = await ue('alice', p.port, transport);
    const bob = await ue('bob', p.port, transport);
    return { p, alice, bob };
  }

  /** An answered call from Alice to Bob. */
  async function established(transport: TransportProtocol = 'UDP') {
    const { p, alice, bob } = await pair(transport);
    const out = alice.call(bob.contactUri);
    const inc = await bob.waitForCall();
    inc.ring();
    const acked = inc.answer();
    expect((await out.answered).status).toBe(200);
    expect((await acked)?.method).toBe('ACK');
    return { p, alice, bob, out, inc };
  }

  it.each(['UDP', 'TCP'] as TransportProtocol[])(
    'basic call over %s: INVITE/180/200/ACK, then BYE from the caller',
    async (transport) => {
      const { p, alice, bob, out, inc } = await established(transport);
      const rr = `<sip:${HOST}:${p.port}`;

      // The callee got the INVITE with the caller's offer, through the proxy.
      expect(inc.invite.via()).toHaveLength(2);
      expect(inc.invite.getAll('Record-Route')[0].startsWith(rr)).toBe(true);
      expect(parseSdp(inc.remoteSdp!).media[0]).toMatchObject({ type: 'audio', formats: ['0'] });
      // The caller got 180 then 200 (RFC 3264 answer: PCMU, sendrecv).
      expect((await out.waitFor(180)).to().tag).toBe(inc.dialog!.localTag);
      expect(out.provisionals.map((r) => r.status)).toContain(180);
      expect(out.remoteSdp).toBe(inc.localSdp);
      expect(parseSdp(out.remoteSdp!).media[0]).toMatchObject({
        port: expect.any(Number),
        formats: ['0'],
        direction: 'sendrecv',
      });
      // Both ends hold the same dialog, mirrored (§12): route set through the proxy.
      expect(out.state).toBe('confirmed');
      expect(inc.state).toBe('confirmed');
      expect(out.dialog!.id).toEqual({
        callId: inc.dialog!.callId,
        localTag: inc.dialog!.remoteTag,
        remoteTag: inc.dialog!.localTag,
      });
      expect(out.dialog!.routeSet).toHaveLength(1);
      expect(out.dialog!.routeSet[0].startsWith(rr)).toBe(true);
      expect(out.dialog!.remoteTarget).toBe(bob.contactUri);
      expect(inc.dialog!.remoteTarget).toBe(alice.contactUri);
      // The ACK reached the callee through the proxy, with the INVITE's CSeq number.
      const ack = await inc.waitForRequest('ACK');
      expect(ack.cseq()).toEqual({ seq: out.invite.cseq().seq, method: 'ACK' });
      expect(ack.via()).toHaveLength(2);

      const bye = await out.bye();
      expect(bye.status).toBe(200);
      expect(await out.ended).toBe('local-bye');
      expect(await inc.ended).toBe('remote-bye');
      expect(inc.requests.map((r) => r.method)).toEqual(['ACK', 'BYE']);
      const summaries = distinct(alice).filter((s) => !s.includes('100 Trying'));
      expect(summaries).toEqual([
        '> INVITE',
        '< 180 Ringing',
        '< 200 OK',
        '> ACK',
        '> BYE',
        '< 200 OK',
      ]);
      expect(distinct(bob)).toEqual([
        '< INVITE',
        '> 180 Ringing',
        '> 200 OK',
        '< ACK',
        '< BYE',
        '> 200 OK',
      ]);
      // The wire text of the trace is the real message (the sent-by filled in).
      const traced = alice.trace.entries.find((e) => e.summary === 'BYE')!;
      expect(traced.text).toContain(`SIP/2.0/${transport} ${HOST}:${alice.stack.port}`);
    },
  );

  it('a call over IPv6 (::1): Contact, Via and SDP (IN IP6) on the IPv6 address', async () => {
    const stack = new SipStack({ host: '::1', port: 0, timers: { T1 } });
    new ProxyCore(stack).attach();
    await stack.start();
    cleanup.push(() => stack.stop());
    const v6 = (name: string) =>
      UeSimulator.start({
        impi: `${name}@example.com`,
        impu: `sip:${name}@example.com`,
        domain: 'example.com',
        pcscf: { host: '::1', port: stack.port, transport: 'UDP' },
        localHost: '::1',
        credentials: { password: 'x' },
        timers: { T1 },
      });
    const alice = await v6('alice');
    cleanup.push(() => alice.close());
    const bob = await v6('bob');
    cleanup.push(() => bob.close());
    expect(bob.contactUri).toBe(`sip:bob@[::1]:${bob.stack.port}`);
    const out = alice.call(bob.contactUri);
    const inc = await bob.waitForCall();
    expect(parseSdp(inc.remoteSdp!).address).toBe('::1');
    expect(inc.remoteSdp).toContain('c=IN IP6 ::1');
    await inc.answer();
    expect((await out.answered).status).toBe(200);
    expect(out.dialog!.routeSet[0]).toContain('[::1]');
    expect((await out.bye()).status).toBe(200);
    expect(await inc.ended).toBe('remote-bye');
  });

  it('the callee hangs up: BYE from the UAS side of the dialog', async () => {
    const { out, inc } = await established();
    expect((await inc.bye()).status).toBe(200);
    expect(await out.ended).toBe('remote-bye');
    expect(await inc.ended).toBe('local-bye');
    const bye = await out.waitForRequest('BYE');
    expect(bye.get('From')).toBe(inc.dialog!.localParty);
    await expect(out.bye()).rejects.toThrow(/no BYE without a live dialog/);
    await expect(out.request('INFO')).rejects.toThrow(/no INFO without a live dialog/);
  });

  it.each(['UDP', 'TCP'] as TransportProtocol[])(
    'CANCEL before the answer over %s: 200 to the CANCEL, 487 to the INVITE (§9)',
    async (transport) => {
      const { alice, bob } = await pair(transport);
      const out = alice.call(bob.contactUri);
      const inc = await bob.waitForCall();
      inc.ring();
      const final = await out.cancel();
      expect(final.status).toBe(487);
      expect(out.cancelResponse?.status).toBe(200);
      expect(await inc.cancelled).toBe(true);
      expect(await out.ended).toBe('cancelled');
      expect(await inc.ended).toBe('cancelled');
      expect(() => inc.answer()).toThrow(/final response was already sent/);
      expect(distinct(bob)).toEqual([
        '< INVITE',
        '> 180 Ringing',
        '< CANCEL',
        '> 200 OK',
        '> 487 Request Terminated',
      ]);
    },
  );

  it.each([486, 603])(
    'a callee rejecting with %i: the caller gets it, both calls end rejected',
    async (status) => {
      const { alice, bob } = await pair();
      const out = alice.call(bob.contactUri);
      const inc = await bob.waitForCall();
      inc.reject(status);
      expect((await out.answered).status).toBe(status);
      expect(await out.ended).toBe('rejected');
      expect(await inc.ended).toBe('rejected');
      expect(await inc.cancelled).toBe(false);
      expect(out.dialog).toBeUndefined();
    },
  );

  it('re-INVITE from either side: a new offer version, answered, ACKed with its own CSeq', async () => {
    const { out, inc } = await established();
    const first = parseSdp(out.localSdp!).version;
    const res = await out.reInvite();
    expect(res.status).toBe(200);
    expect(parseSdp(out.localSdp!).version).toBe(first + 1);
    const reinvite = await inc.waitForRequest((r) => r.method === 'INVITE');
    expect(reinvite.cseq().seq).toBe(out.invite.cseq().seq + 1);
    const ack = await inc.waitForRequest(
      (r) => r.method === 'ACK' && r.cseq().seq === reinvite.cseq().seq,
    );
    expect(ack.via()).toHaveLength(2);
    expect(inc.remoteSdp).toBe(out.localSdp);
    expect(out.remoteSdp).toBe(inc.localSdp);

    // The callee's re-INVITE: its first request in the dialog, a fresh CSeq (§8.1.1.5).
    const back = await inc.reInvite();
    expect(back.status).toBe(200);
    const got = await out.waitForRequest('INVITE');
    expect(got.cseq().seq).toBe(inc.dialog!.localSeq);
    await out.waitForRequest((r) => r.method === 'ACK' && r.cseq().seq === got.cseq().seq);
    expect(out.state).toBe('confirmed');
  });

  it('INFO with DTMF (application/dtmf-relay) both ways, and UPDATE with an offer', async () => {
    const { out, inc } = await established();
    const dtmf = 'Signal=5\r\nDuration=160\r\n';
    const res = await out.request('INFO', { body: dtmf, contentType: 'application/dtmf-relay' });
    expect(res.status).toBe(200);
    const info = await inc.waitForRequest('INFO');
    expect(info.get('Content-Type')).toBe('application/dtmf-relay');
    expect(info.body.toString()).toBe(dtmf);
    expect(
      (await inc.request('INFO', { body: dtmf, contentType: 'application/dtmf-relay' })).status,
    ).toBe(200);
    expect((await out.waitForRequest('INFO')).body.toString()).toBe(dtmf);

    const update = await out.request('UPDATE', {
      body: out.localSdp!.replace(/^o=(\S+ \S+) (\d+)/m, (_m, a, v) => `o=${a} ${Number(v) + 1}`),
      contentType: 'application/sdp',
    });
    expect(update.status).toBe(200);
    expect(update.get('Content-Type')).toBe('application/sdp');
    expect(update.has('Contact')).toBe(true);
  });

  it('reliable provisionals (RFC 3262): 183 with Require 100rel and RSeq, PRACKed once, retransmission stops', async () => {
    const { alice, bob } = await pair();
    const out = alice.call(bob.contactUri, { require100rel: true });
    expect(out.invite.get('Require')).toBe('100rel');
    expect(out.invite.get('Supported')).toBe('100rel');
    const inc = await bob.waitForCall();
    inc.ring(183);
    const prack = await inc.waitForRequest('PRACK');
    const rseq = Number((await out.waitFor(183)).get('RSeq'));
    expect(prack.get('RAck')).toBe(`${rseq} ${out.invite.cseq().seq} INVITE`);
    expect(prack.cseq().seq).toBe(out.invite.cseq().seq + 1);
    // The retransmissions of the 183 stop once PRACKed (T1 = 50 ms: without the PRACK they
    // would keep coming at 50, 150, 350, 750 ms...); one may still be in flight.
    const deadline = Date.now() + 3000;
    while (out.prackResponses.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    expect(out.prackResponses.map((r) => r.status)).toEqual([200]);
    const count = () => out.provisionals.filter((r) => r.status === 183).length;
    const atPrack = count();
    await new Promise((r) => setTimeout(r, 800));
    expect(count()).toBeLessThanOrEqual(atPrack + 1);
    // Retransmissions carry the same RSeq: PRACKed once only.
    expect(inc.requests.filter((r) => r.method === 'PRACK')).toHaveLength(1);
    // A PRACK naming no unacknowledged provisional: 481.
    const stray = await out.request('PRACK', { headers: [['RAck', `${rseq} 1 INVITE`]] });
    expect(stray.status).toBe(481);
    await inc.answer();
    expect((await out.answered).status).toBe(200);
    expect(() => inc.ring(180)).toThrow(/final response was already sent/);
  });

  it('a reliable provisional is refused when the INVITE offered no 100rel (RFC 3262 §3)', async () => {
    const { alice, bob } = await pair();
    const out = alice.call(bob.contactUri, { headers: [] });
    const inc = await bob.waitForCall();
    inc.invite.remove('Supported');
    expect(() => inc.ring(180, { reliable: true })).toThrow(/RFC 3262/);
    inc.reject(480);
    expect((await out.answered).status).toBe(480);
  });

  it('a request with a lower CSeq than the last one is answered 500 (§12.2.2)', async () => {
    const { out, inc } = await established();
    expect((await out.request('INFO')).status).toBe(200);
    out.dialog!.localSeq = out.dialog!.localSeq! - 3;
    const res = await out.request('OPTIONS');
    expect(res.status).toBe(500);
    expect(inc.state).toBe('confirmed');
  });

  it('a handler overrides the default answer (re-INVITE refused with 488)', async () => {
    const { out, inc } = await established();
    inc.onRequest('INVITE', () => ({ status: 488, reason: 'Not Acceptable Here' }));
    const res = await out.reInvite();
    expect(res.status).toBe(488);
    expect(out.state).toBe('confirmed');
    expect((await out.bye()).status).toBe(200);
  });

  it('REFER: 202, then a NOTIFY with Event refer and the sipfrag "SIP/2.0 200 OK" (RFC 3515)', async () => {
    const { out, inc } = await established();
    const outcome = await out.refer('sip:carol@example.com');
    expect(outcome.response.status).toBe(202);
    expect(outcome.finalStatus).toBe(200);
    expect(outcome.notifications).toHaveLength(1);
    const notify = outcome.notifications[0];
    expect(notify.get('Event')).toBe(`refer;id=${outcome.response.cseq().seq}`);
    expect(notify.get('Subscription-State')).toMatch(/^terminated/);
    expect(notify.get('Content-Type')).toBe('message/sipfrag;version=2.0');
    expect(notify.body.toString()).toBe('SIP/2.0 200 OK\r\n');
    const refer = await inc.waitForRequest('REFER');
    expect(refer.get('Refer-To')).toBe('<sip:carol@example.com>');
    expect(refer.get('Contact')).toBe(`<${out.dialog!.localTarget}>`);
  });

  it('MESSAGE (page mode) and OPTIONS outside a dialog, MESSAGE inside one', async () => {
    const { alice, bob } = await pair();
    const res = await alice.message(bob.contactUri, 'hello bob');
    expect(res.status).toBe(200);
    const got = await bob.waitForRequest((r) => r.method === 'MESSAGE');
    expect(got.body.toString()).toBe('hello bob');
    expect(got.get('Content-Type')).toBe('text/plain');
    const opts = await alice.sendOptions(bob.contactUri);
    expect(opts.status).toBe(200);
    const options = await bob.waitForRequest((r) => r.method === 'OPTIONS');
    expect(options.get('Accept')).toBe('application/sdp');

    const out = alice.call(bob.contactUri);
    const inc = await bob.waitForCall();
    await inc.answer();
    await out.answered;
    expect(
      (await out.request('MESSAGE', { body: 'in call', contentType: 'text/plain' })).status,
    ).toBe(200);
    expect((await inc.waitForRequest('MESSAGE')).body.toString()).toBe('in call');
  });

  it('SUBSCRIBE/NOTIFY (RFC 6665): 200 with Expires, an immediate NOTIFY in the new dialog; a fetch ends at once', async () => {
    const { alice, bob } = await pair();
    const { response, notify } = await alice.subscribe(bob.contactUri, 'presence', {
      expires: 600,
      headers: [['Accept', 'application/pidf+xml']],
    });
    expect(response.status).toBe(200);
    expect(response.get('Expires')).toBe('600');
    expect(notify!.get('Event')).toBe('presence');
    expect(notify!.get('Subscription-State')).toBe('active;expires=600');
    expect(notify!.to().tag).toBe(response.from().tag);
    expect(notify!.from().tag).toBe(response.to().tag);
    expect(notify!.via()).toHaveLength(2); // through the proxy, by the Record-Route
    const sub = bob.notifier.subscriptions[0];
    expect(sub.event).toBe('presence');
    expect(sub.dialog.remoteTarget).toBe(alice.contactUri);

    const fetch = await alice.subscribe(bob.contactUri, 'dialog', { expires: 0 });
    expect(fetch.response.status).toBe(200);
    expect(fetch.notify!.get('Subscription-State')).toBe('terminated;reason=timeout');
    // RFC 6665 §8.2.1: no Event header, 400.
    expect((await alice.sendRequest('SUBSCRIBE', bob.contactUri)).status).toBe(400);
  });

  it('an INVITE without offer: the offer rides in the 200, the answer in the ACK', async () => {
    const { alice, bob } = await pair();
    const out = alice.call(bob.contactUri, { sdp: null });
    const inc = await bob.waitForCall();
    expect(inc.invite.body.length).toBe(0);
    const ack = await inc.answer();
    await out.answered;
    expect(ack!.get('Content-Type')).toBe('application/sdp');
    expect(inc.remoteSdp).toBe(out.localSdp);
    expect(out.remoteSdp).toBe(inc.localSdp);
    expect(parseSdp(inc.remoteSdp!).media[0].formats).toEqual(['0']);
  });

  it.each([
    [{ ringMs: 100 }, 200, 'confirmed'],
    [{ status: 486, ringStatus: 0 }, 486, 'terminated'],
  ] as [AutoAnswer, number, string][])(
    'autoAnswer %j: the callee answers by itself with %i',
    async (auto, status, state) => {
      const p = await proxy();
      const alice = await ue('alice', p.port, 'UDP');
      const carol = await ue('carol', p.port, 'UDP', auto);
      const out = alice.call(carol.contactUri);
      expect((await out.answered).status).toBe(status);
      expect(out.state).toBe(state);
      expect(out.provisionals.some((r) => r.status === 180)).toBe(auto.ringStatus !== 0);
      expect(carol.calls).toHaveLength(1);
      if (status === 200) {
        await out.bye();
        expect(await carol.calls[0].ended).toBe('remote-bye');
      }
    },
  );

  it('an unknown dialog gets 481, an unmatched CANCEL 481 (§12.2.2, §9.2)', async () => {
    const { p, bob } = await pair();
    const raw = new SipStack({ host: HOST, port: 0, transports: ['UDP'], timers: { T1 } });
    await raw.start();
    cleanup.push(() => raw.stop());
    const headers = (method: string, toTag: string): [string, string][] => [
      ['Max-Forwards', '70'],
      ['From', `<sip:x@${HOST}>;tag=${generateTag()}`],
      ['To', `<${bob.contactUri}>${toTag}`],
      ['Call-ID', `${generateTag()}@raw`],
      ['CSeq', `7 ${method}`],
    ];
    const dest = { host: HOST, port: bob.stack.port, transport: 'UDP' as const };
    const bye = createRequest({
      method: 'BYE',
      uri: bob.contactUri,
      headers: headers('BYE', ';tag=nope'),
    });
    expect((await raw.request(bye, { destination: dest })).status).toBe(481);
    const cancel = createRequest({
      method: 'CANCEL',
      uri: bob.contactUri,
      headers: headers('CANCEL', ''),
    });
    expect((await raw.request(cancel, { destination: dest })).status).toBe(481);
    void p;
  });

  it('a malformed request in a dialog gets its 400 and the call goes on', async () => {
    const { bob } = await pair();
    const raw = new SipStack({ host: HOST, port: 0, transports: ['UDP'], timers: { T1 } });
    raw.setHandler({ onRequest: (req, tx) => tx?.respond(createResponse(req, 200)) });
    await raw.start();
    cleanup.push(() => raw.stop());
    const dest = { host: HOST, port: bob.stack.port, transport: 'UDP' as const };
    const invite = createRequest({
      method: 'INVITE',
      uri: bob.contactUri,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<sip:x@${HOST}>;tag=${generateTag()}`],
        ['To', `<${bob.contactUri}>`],
        ['Call-ID', `${generateTag()}@raw`],
        ['CSeq', '1 INVITE'],
        ['Contact', `<sip:x@${HOST}:${raw.port}>`],
      ],
    });
    const answered = raw.request(invite, { destination: dest });
    const inc = await bob.waitForCall();
    void inc.answer();
    const ok = await answered;
    await raw.sendStateless(buildAckFor2xx(invite, ok), dest);
    const inDialog = (method: string, seq: number, extra: [string, string][] = []) =>
      createRequest({
        method,
        uri: bob.contactUri,
        headers: [
          ['Max-Forwards', '70'],
          ['From', invite.get('From')!],
          ['To', ok.get('To')!],
          ['Call-ID', invite.callId()],
          ['CSeq', `${seq} ${method}`],
          ...extra,
        ],
      });
    const bad = await raw.request(
      inDialog('INVITE', 2, [['Contact', `<sip:x@${HOST}>;expires=soon`]]),
      { destination: dest },
    );
    expect(bad.status).toBe(400);
    expect(bad.get('Warning')).toMatch(/Contact/);
    expect(inc.state).toBe('confirmed');
    expect((await raw.request(inDialog('BYE', 3), { destination: dest })).status).toBe(200);
    expect(await inc.ended).toBe('remote-bye');
  });

  it('no ACK for the 2xx within 64*T1: the callee sends BYE and the call ends no-ack (§13.3.1.4)', async () => {
    const { bob } = await pair();
    const raw = new SipStack({ host: HOST, port: 0, transports: ['UDP'], timers: { T1 } });
    const got: SipRequest[] = [];
    raw.setHandler({
      onRequest: (req, tx) => {
        got.push(req);
        tx?.respond(createResponse(req, 200));
      },
    });
    await raw.start();
    cleanup.push(() => raw.stop());
    const invite = createRequest({
      method: 'INVITE',
      uri: bob.contactUri,
      headers: [
        ['Max-Forwards', '70'],
        ['From', `<sip:x@${HOST}>;tag=${generateTag()}`],
        ['To', `<${bob.contactUri}>`],
        ['Call-ID', `${generateTag()}@raw`],
        ['CSeq', '1 INVITE'],
        ['Contact', `<sip:x@${HOST}:${raw.port}>`],
      ],
    });
    const answered = raw.request(invite, {
      destination: { host: HOST, port: bob.stack.port, transport: 'UDP' },
    });
    const inc = await bob.waitForCall();
    const ack = await inc.answer();
    expect((await answered).status).toBe(200);
    expect(ack).toBeUndefined();
    expect(await inc.ended).toBe('no-ack');
    const deadline = Date.now() + 3000;
    while (!got.some((r) => r.method === 'BYE') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(got.find((r) => r.method === 'BYE')?.to().tag).toBe(invite.from().tag);
  });

  it('forked answers: the first 2xx wins, a second 2xx from another fork is ACKed and hung up (§13.2.2.4)', async () => {
    // A raw UAS standing in for a forking proxy: two 2xx with different To tags.
    const raw = new SipStack({ host: HOST, port: 0, transports: ['UDP'], timers: { T1 } });
    const got: SipRequest[] = [];
    raw.setHandler({
      onRequest: (req, tx) => {
        got.push(req);
        if (!tx) return;
        if (req.method !== 'INVITE') {
          tx.respond(createResponse(req, 200));
          return;
        }
        const ok = (tag: string): SipResponse => {
          const r = createResponse(req, 200, undefined, { toTag: tag });
          r.append('Contact', `<sip:${tag}@${HOST}:${raw.port}>`);
          return r;
        };
        const first = ok('fork1');
        tx.respond(first);
        tx.respond(ok('fork2'));
        tx.respond(first); // a retransmission: ACKed again, not answered with another BYE
      },
    });
    await raw.start();
    cleanup.push(() => raw.stop());
    const alice = await ue('alice', raw.port, 'UDP');
    const out = alice.call(`sip:bob@${HOST}:${raw.port}`);
    expect((await out.answered).to().tag).toBe('fork1');
    const deadline = Date.now() + 3000;
    while (!got.some((r) => r.method === 'BYE') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    const acks = got.filter((r) => r.method === 'ACK').map((r) => r.to().tag);
    expect(acks.filter((t) => t === 'fork1')).toHaveLength(2);
    expect(acks.filter((t) => t === 'fork2')).toHaveLength(1);
    const byes = got.filter((r) => r.method === 'BYE');
    expect(byes.map((r) => r.to().tag)).toEqual(['fork2']);
    expect(byes[0].uri).toBe(`sip:fork2@${HOST}:${raw.port}`);
    expect(out.dialog!.remoteTag).toBe('fork1');
    expect(out.state).toBe('confirmed');
  });

  /**
   * A callee whose 2xx never reaches the caller (lost on every retransmission): it rang (180
   * with To tag), a CANCEL gets 200, the INVITE nothing more. `bye` makes it hang up in the
   * early dialog as a UAS does after 64*T1 without ACK (RFC 3261 §13.3.1.4).
   */
  async function lostAnswerCallee(bye: boolean) {
    const raw = new SipStack({ host: HOST, port: 0, transports: ['UDP'], timers: { T1 } });
    const got: SipRequest[] = [];
    const byeAnswers: number[] = [];
    raw.setHandler({
      onRequest: (req, tx) => {
        got.push(req);
        if (!tx) return;
        if (req.method !== 'INVITE') {
          tx.respond(createResponse(req, 200));
          return;
        }
        const ringing = createResponse(req, 180, undefined, { toTag: 'callee' });
        ringing.append('Contact', `<sip:bob@${HOST}:${raw.port}>`);
        tx.respond(ringing);
        if (!bye) return;
        const byeRequest = createRequest({
          method: 'BYE',
          uri: req.contacts()[0].uri,
          headers: [
            ['Max-Forwards', '70'],
            ['From', `<${req.to().uri}>;tag=callee`],
            ['To', req.get('From')!],
            ['Call-ID', req.callId()],
            ['CSeq', '7 BYE'],
          ],
        });
        void raw.request(byeRequest).then((r) => byeAnswers.push(r.status));
      },
    });
    await raw.start();
    cleanup.push(() => raw.stop());
    return { raw, got, byeAnswers };
  }

  it('Expires (RFC 3261 §13.2.1): no final response in time -> CANCEL; none after it -> local 487 and the INVITE transaction is destroyed (§9.1)', async () => {
    const { raw, got } = await lostAnswerCallee(false);
    const alice = await ue('alice', raw.port, 'UDP');
    const started = Date.now();
    const out = alice.call(`sip:bob@${HOST}:${raw.port}`, { expires: 1 });
    expect(out.invite.get('Expires')).toBe('1');
    const final = await out.answered;
    expect(final.status).toBe(487);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000 + 64 * T1 - 50);
    expect(await out.ended).toBe('cancelled');
    expect(out.cancelResponse?.status).toBe(200);
    expect(got.map((r) => r.method)).toEqual(['INVITE', 'CANCEL']);
    // Nothing waits any more: the CANCEL's transaction ends after timer K, the INVITE's
    // was destroyed (it would sit in Proceeding for ever).
    const deadline = Date.now() + 3000;
    while (alice.stack.transactions.count > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(alice.stack.transactions.count).toBe(0);
  });

  it('a BYE in the early dialog before any final response (the 2xx was lost, §13.3.1.4): 200, the call ends and the INVITE is cancelled', async () => {
    const { raw, got, byeAnswers } = await lostAnswerCallee(true);
    const alice = await ue('alice', raw.port, 'UDP');
    const out = alice.call(`sip:bob@${HOST}:${raw.port}`);
    expect(await out.ended).toBe('remote-bye');
    expect((await out.answered).status).toBe(487);
    expect(out.requests.map((r) => r.method)).toEqual(['BYE']);
    expect(byeAnswers).toEqual([200]);
    expect(got.map((r) => r.method)).toEqual(['INVITE', 'CANCEL']);
    const deadline = Date.now() + 3000;
    while (alice.stack.transactions.count > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(alice.stack.transactions.count).toBe(0);
  });

  it('closing the UE ends its calls (closed); waitForCall times out with a clear error', async () => {
    const { alice, bob, out, inc } = await established();
    await alice.close();
    expect(await out.ended).toBe('closed');
    // A closed UE cannot send: the call fails at once with a local 503 (RFC 3261 §8.1.3.1).
    const late = alice.call(bob.contactUri);
    expect((await late.answered).status).toBe(503);
    expect(await late.ended).toBe('rejected');
    await expect(bob.waitForCall(100)).rejects.toThrow(/no incoming call within 100 ms/);
    void inc;
  });
});
