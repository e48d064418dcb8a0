/**
 * Calls and messages within one home domain (issue 5 "Must show"; DESIGN.md "Calls"): two
 * UE simulators registered through the real P-CSCF, I-CSCF, S-CSCF and HSS processes, using
 * the UE call API. The originating request goes UE -> P-CSCF (Service-Route) -> S-CSCF (orig)
 * -> I-CSCF (LIR) -> S-CSCF (term) -> P-CSCF (Path) -> UE (TS 24.229 §5.2.6.3, §5.4.3.2,
 * §5.3.2, §5.4.3.3, §5.2.6.4); in-dialog requests follow the Record-Route set, which holds the
 * P-CSCF and the S-CSCF but not the I-CSCF (TS 24.229 §5.3.2.1: the I-CSCF does not
 * Record-Route). Each case checks what crossed the wire, not only the final code.
 */
import {
  createSdpAnswer,
  type IncomingCall,
  type OutgoingCall,
  type UeOptions,
  type UeSimulator,
} from '@lib/ims';
import { createResponse, Dialog, generateTag, type SipResponse } from '@lib/sip';
import { Lab } from '../support/lab';
import type { TestSubscriber } from '../support/subscribers';
import { assertedIdentities, provision, registeredUe, subscriberOf } from './call-support';
import { bodyOf, counter, eventually, HopNames, traced } from './wire';

jest.setTimeout(90000);

/** The callee answers; the caller's 200 and the callee's ACK arrive (RFC 3261 §13.2.2.4). */
async function answered(call: OutgoingCall, incoming: IncomingCall) {
  const ack = incoming.answer();
  const ok = await call.answered;
  expect(ok.status).toBe(200);
  expect(await ack).toBeDefined();
  return ok;
}

describe('calls within one home domain', () => {
  let lab: Lab;
  const ues: UeSimulator[] = [];

  beforeAll(async () => {
    lab = await Lab.start({ env: { IMS_EXPLAIN_FAILURES: 'true' } });
    await lab.waitForCxPeers(2);
  });

  afterEach(async () => {
    while (ues.length) {
      const ue = ues.pop()!;
      await ue.close();
    }
  });

  afterAll(async () => {
    await lab?.stop();
  });

  async function party(
    opts: {
      transport?: 'UDP' | 'TCP';
      s?: TestSubscriber;
      contactParams?: string;
      onRequest?: UeOptions['onRequest'];
    } = {},
  ) {
    const s = opts.s ?? subscriberOf(lab);
    if (!opts.s) await provision(lab, s);
    const ue = await registeredUe(lab, s, opts);
    ues.push(ue);
    return { s, ue };
  }

  /** Caller and callee registered; the callee's incoming call and the caller's INVITE. */
  async function ringing(
    opts: { callerTransport?: 'UDP' | 'TCP'; calleeTransport?: 'UDP' | 'TCP' } = {},
  ) {
    const a = await party({ transport: opts.callerTransport });
    const b = await party({ transport: opts.calleeTransport });
    const call = a.ue.call(b.s.impu);
    const incoming = await b.ue.waitForCall(10000);
    incoming.ring(180);
    await call.waitFor(180, 10000);
    const hops = new HopNames({ A: lab }, { UEa: a.ue, UEb: b.ue });
    return { a, b, call, incoming, hops };
  }

  it.each([
    ['UDP', 'UDP'],
    ['TCP', 'UDP'],
  ] as const)(
    'basic call INVITE/100/180/200/ACK/BYE (caller over %s, callee over %s)',
    async (callerTransport, calleeTransport) => {
      const { a, b, call, incoming, hops } = await ringing({ callerTransport, calleeTransport });
      const invite = incoming.invite;

      // The originating chain P, S, I, S, P: one Via per hop, the UE's at the bottom.
      expect(hops.vias(invite)).toEqual(['PA', 'SA', 'IA', 'SA', 'PA', 'UEa']);
      // Between the CSCFs over TCP (IMS_CORE_TRANSPORT's default); each UE on its own.
      expect(invite.via().map((v) => v.transport)).toEqual([
        calleeTransport,
        'TCP',
        'TCP',
        'TCP',
        'TCP',
        callerTransport,
      ]);
      // Record-Route: the P-CSCF and the S-CSCF on each side, never the I-CSCF.
      const rr = hops.recordRoute(invite);
      expect(rr[0]).toBe('PA');
      expect(rr[rr.length - 1]).toBe('PA');
      expect(rr).toContain('SA');
      expect(rr).not.toContain('IA');
      // One value per P-CSCF side whose transport differs from the core's (RFC 5658).
      const pcscf = (t: string) => (t === 'TCP' ? ['PA'] : ['PA', 'PA']);
      expect(rr).toEqual([...pcscf(calleeTransport), 'SA', 'SA', ...pcscf(callerTransport)]);
      // Every Route entry was consumed on the way (loose routing, RFC 3261 §16.4).
      expect(invite.routes()).toEqual([]);
      // RFC 3325: the network asserted the caller's identity; the UE's SDP passes untouched.
      expect(a.s.impus).toEqual(expect.arrayContaining(assertedIdentities(invite).slice(0, 1)));
      expect(assertedIdentities(invite).length).toBeGreaterThan(0);
      expect(bodyOf(invite)).toBe(bodyOf(call.invite));
      expect(invite.contentType()).toBe('application/sdp');
      expect(invite.to().uri).toBe(b.s.impu);
      expect(invite.from().uri).toBe(a.s.impu);

      // 100 Trying from the P-CSCF (hop by hop), then the callee's 180 end to end.
      const statuses = call.provisionals.map((r) => r.status);
      expect(statuses[0]).toBe(100);
      expect(statuses).toContain(180);
      const ringing180 = call.provisionals.find((r) => r.status === 180)!;
      expect(ringing180.via()).toHaveLength(1);
      expect(ringing180.to().tag).toBeTruthy();

      const ok = await answered(call, incoming);
      // The 2xx carries the callee's answer untouched and the same Record-Route set
      // (RFC 3261 §12.1.1: the UAS copies it; proxies do not change it in responses).
      expect(bodyOf(ok)).toBe(incoming.localSdp);
      expect(hops.recordRoute(ok)).toEqual(rr);
      expect(ok.via()).toHaveLength(1);
      expect(call.state).toBe('confirmed');
      expect(incoming.state).toBe('confirmed');
      // The P- and S-CSCF hold the confirmed dialog (their ims_dialogs gauge).
      const dialogs = async (role: 'pcscf' | 'scscf') =>
        (await lab.metrics(role))?.get('ims_dialogs');
      await eventually(
        async () => ((await dialogs('pcscf')) ?? 0) >= 1 && ((await dialogs('scscf')) ?? 0) >= 1,
        'dialog confirmed at the P- and S-CSCF',
      );

      // The ACK for the 2xx follows the route set: through P and S, not the I-CSCF.
      const ack = incoming.requests.find((r) => r.method === 'ACK')!;
      expect(ack).toBeDefined();
      expect(hops.vias(ack)).not.toContain('IA');
      expect(hops.vias(ack)[hops.vias(ack).length - 1]).toBe('UEa');
      expect(ack.cseq().seq).toBe(call.invite.cseq().seq);

      const bye = await call.bye();
      expect(bye.status).toBe(200);
      expect(await incoming.ended).toBe('remote-bye');
      expect(await call.ended).toBe('local-bye');
      const byeIn = incoming.requests.find((r) => r.method === 'BYE')!;
      expect(hops.vias(byeIn)).not.toContain('IA');
      expect(hops.vias(byeIn)).toEqual(expect.arrayContaining(['PA', 'SA', 'UEa']));
      expect(byeIn.routes()).toEqual([]);
      expect(byeIn.uri).toContain(`:${b.ue.stack.port}`); // the callee's Contact
      // Through the route set: the P-CSCF's two Record-Route values (RFC 5658) took the BYE
      // from the caller's transport onto TCP and back onto the callee's.
      expect(byeIn.via().map((v) => v.transport)).toEqual([
        calleeTransport,
        'TCP',
        'TCP',
        callerTransport,
      ]);

      // The elements' own view (/metrics, Prometheus): the P- and S-CSCF answered the BYE
      // 200; the I-CSCF, out of the route set, never saw a BYE in this whole suite.
      const byes = { direction: 'in', method: 'BYE', code: '200' };
      await eventually(
        async () => (await counter(lab, 'pcscf', 'sip_transactions_total', byes)) > 0,
        'P-CSCF BYE 200 in /metrics',
      );
      expect(await counter(lab, 'scscf', 'sip_transactions_total', byes)).toBeGreaterThan(0);
      expect(await counter(lab, 'icscf', 'sip_transactions_total', { method: 'BYE' })).toBe(0);
      expect(
        await counter(lab, 'icscf', 'sip_transactions_total', {
          direction: 'in',
          method: 'INVITE',
        }),
      ).toBeGreaterThan(0);

      // The BYE ended the dialog at both record-routing CSCFs.
      await eventually(
        async () => (await dialogs('pcscf')) === 0 && (await dialogs('scscf')) === 0,
        'dialogs drain at the P- and S-CSCF',
      );

      // Transactions drain at both UEs (Timer K/J end the non-INVITE ones, RFC 3261 §17).
      await eventually(
        () => a.ue.stack.transactions.count === 0 && b.ue.stack.transactions.count === 0,
        'UE transactions drain',
        20000,
      );
    },
  );

  it('CANCEL before the answer: 200 to the CANCEL, 487 to the INVITE, the callee sees the CANCEL', async () => {
    const { b, call, incoming, hops } = await ringing();
    const final = await call.cancel();
    expect(final.status).toBe(487);
    expect(call.cancelResponse?.status).toBe(200);
    expect(await incoming.cancelled).toBe(true);
    expect(await call.ended).toBe('cancelled');
    const cancels = traced(b.ue, 'in', 'CANCEL');
    expect(cancels).toHaveLength(1);
    // CANCEL is hop by hop (RFC 3261 §16.10): the last proxy sent it, with the INVITE's CSeq number.
    expect(hops.vias(cancels[0])).toHaveLength(1);
    expect(hops.vias(cancels[0])).toEqual([hops.vias(incoming.invite)[0]]);
    expect(cancels[0].cseq().seq).toBe(incoming.invite.cseq().seq);
    expect(final.via()).toHaveLength(1);
  });

  it.each([
    [486, 'Busy Here'],
    [603, 'Decline'],
  ])('a %i from the callee reaches the caller unchanged', async (status, reason) => {
    const { call, incoming } = await ringing();
    incoming.reject(status);
    const final = await call.answered;
    expect(final.status).toBe(status);
    expect(final.reason).toBe(reason);
    expect(final.via()).toHaveLength(1);
    // The callee's own response: no CSCF put a Warning on it.
    expect(final.has('Warning')).toBe(false);
    expect(await call.ended).toBe('rejected');
    expect(await incoming.ended).toBe('rejected');
  });

  it("an unknown callee: 404 (the I-CSCF's LIR finds no such user, TS 29.228 §6.1.4)", async () => {
    const { ue } = await party();
    const call = ue.call(`sip:nobody-${Date.now()}@${lab.domain}`);
    const final = await call.answered;
    expect(final.status).toBe(404);
    expect(final.get('Warning')).toMatch(/^399 /);
    expect(await call.ended).toBe('rejected');
  });

  it('a provisioned but unregistered callee: 480', async () => {
    const { ue } = await party();
    const b = subscriberOf(lab);
    await provision(lab, b);
    const call = ue.call(b.impu);
    const final = await call.answered;
    expect(final.status).toBe(480);
    expect(final.get('Warning')).toMatch(/^399 /);
  });

  it('re-INVITE in both directions through the route set, SDP untouched', async () => {
    const { a, call, incoming, hops } = await ringing();
    await answered(call, incoming);

    // Caller -> callee: a new offer (version 2).
    const offer = (call.localSdp ?? '').replace(/^(o=\S+ \S+ )(\d+)/m, (_, p) => `${p}2`);
    const res = await call.reInvite(offer);
    expect(res.status).toBe(200);
    const reinvite = await incoming.waitForRequest(
      (r) => r.method === 'INVITE' && r.cseq().seq > incoming.invite.cseq().seq,
    );
    expect(bodyOf(reinvite)).toBe(offer);
    expect(reinvite.to().tag).toBeTruthy();
    expect(hops.vias(reinvite)).not.toContain('IA');
    expect(hops.vias(reinvite)[hops.vias(reinvite).length - 1]).toBe('UEa');
    expect(incoming.remoteSdp).toBe(offer);
    expect(bodyOf(res)).toBe(call.remoteSdp);
    await incoming.waitForRequest(
      (r) => r.method === 'ACK' && r.cseq().seq === reinvite.cseq().seq,
    );

    // Callee -> caller: the callee's route set (not reversed, RFC 3261 §12.1.1) works too.
    const back = await incoming.reInvite();
    expect(back.status).toBe(200);
    const got = await call.waitForRequest((r) => r.method === 'INVITE');
    expect(bodyOf(got)).toBe(incoming.localSdp);
    expect(hops.vias(got)).not.toContain('IA');
    expect(got.uri).toContain(`:${a.ue.stack.port}`);

    expect((await call.bye()).status).toBe(200);
  });

  it('reliable 183 with PRACK (RFC 3262) and UPDATE (RFC 3311) in the early dialog', async () => {
    const a = await party();
    const b = await party();
    const hops = new HopNames({ A: lab }, { UEa: a.ue, UEb: b.ue });
    const call = a.ue.call(b.s.impu, { require100rel: true });
    const incoming = await b.ue.waitForCall(10000);
    expect(incoming.invite.get('Require')).toMatch(/100rel/);
    // The reliable 183 answers the INVITE's offer (RFC 3262 §5), so the UPDATE below may
    // carry a new one (RFC 3311 §5.1: no offer outstanding).
    const answer = createSdpAnswer(bodyOf(incoming.invite), { address: '127.0.0.1', port: 40002 });
    incoming.ring(183, { sdp: answer, reliable: true });
    const progress = await call.waitFor(183);
    expect(progress.get('Require')).toMatch(/100rel/);
    expect(progress.get('RSeq')).toBeTruthy();
    expect(bodyOf(progress)).toBe(answer);
    // The PRACK follows the early dialog's route set: P and S, not the I-CSCF.
    const prack = await incoming.waitForRequest('PRACK');
    expect(prack.get('RAck')).toMatch(new RegExp(`^${progress.get('RSeq')} 1 INVITE$`));
    expect(hops.vias(prack)).not.toContain('IA');
    expect(hops.vias(prack)[hops.vias(prack).length - 1]).toBe('UEa');
    await eventually(() => call.prackResponses.length > 0, 'PRACK answered');
    expect(call.prackResponses[0].status).toBe(200);

    const offer = (call.localSdp ?? '').replace(
      /^(o=\S+ \S+ )(\d+)/m,
      (_: string, p: string) => `${p}2`,
    );
    const update = await call.request('UPDATE', { body: offer, contentType: 'application/sdp' });
    expect(update.status).toBe(200);
    const got = await incoming.waitForRequest('UPDATE');
    expect(bodyOf(got)).toBe(offer);
    expect(hops.vias(got)).not.toContain('IA');

    await incoming.answer();
    expect((await call.answered).status).toBe(200);
    expect((await call.bye()).status).toBe(200);
  });

  it('SUBSCRIBE/NOTIFY of a non-reg event package (RFC 6665) between two UEs', async () => {
    const a = await party();
    let notifyAnswer: Promise<SipResponse> | undefined;
    const b = await party({
      // The callee's notifier: 200 to SUBSCRIBE, then a NOTIFY in the new dialog.
      onRequest: (req, tx) => {
        if (req.method !== 'SUBSCRIBE' || !tx) return;
        const tag = generateTag();
        const ok = createResponse(req, 200, undefined, { toTag: tag });
        ok.append('Contact', `<${b.ue.contactUri}>`);
        ok.append('Expires', '600');
        tx.respond(ok);
        const dialog = Dialog.createAsUas(req, tag, {
          localTarget: b.ue.contactUri,
          confirmed: true,
        });
        const notify = dialog.createRequest('NOTIFY', {
          headers: [
            ['Event', 'presence'],
            ['Subscription-State', 'active;expires=600'],
          ],
          body: '<presence/>',
          contentType: 'application/pidf+xml',
        });
        notifyAnswer = b.ue.stack.request(notify, { destination: lab.pcscf('UDP') });
      },
    });
    const hops = new HopNames({ A: lab }, { UEa: a.ue, UEb: b.ue });
    const res = await a.ue.sendRequest('SUBSCRIBE', b.s.impu, {
      headers: [
        ['Event', 'presence'],
        ['Expires', '600'],
        ['Accept', 'application/pidf+xml'],
      ],
    });
    expect(res.status).toBe(200);
    const subscribe = b.ue.received.find((r) => r.method === 'SUBSCRIBE')!;
    expect(hops.vias(subscribe)).toEqual(['PA', 'SA', 'IA', 'SA', 'PA', 'UEa']);
    const rr = hops.recordRoute(subscribe);
    expect(rr[0]).toBe('PA');
    expect(rr).not.toContain('IA');

    const notify = await a.ue.waitForRequest(
      (r) => r.method === 'NOTIFY' && r.get('Event') === 'presence',
    );
    expect(bodyOf(notify)).toBe('<presence/>');
    expect(hops.vias(notify)).not.toContain('IA');
    expect(hops.vias(notify)[hops.vias(notify).length - 1]).toBe('UEb');
    await eventually(() => notifyAnswer !== undefined, 'NOTIFY sent');
    expect((await notifyAnswer!).status).toBe(200);
  });

  it('INFO with application/dtmf-relay in the dialog', async () => {
    const { call, incoming, hops } = await ringing();
    await answered(call, incoming);
    const dtmf = 'Signal=5\r\nDuration=160\r\n';
    const res = await call.request('INFO', { body: dtmf, contentType: 'application/dtmf-relay' });
    expect(res.status).toBe(200);
    const info = await incoming.waitForRequest('INFO');
    expect(info.contentType()).toBe('application/dtmf-relay');
    expect(bodyOf(info)).toBe(dtmf);
    expect(hops.vias(info)).not.toContain('IA');
    expect((await incoming.bye()).status).toBe(200);
    expect(await call.ended).toBe('remote-bye');
  });

  it('REFER with its NOTIFY (RFC 3515) in the dialog', async () => {
    const { call, incoming } = await ringing();
    await answered(call, incoming);
    const target = `sip:third-party@${lab.domain}`;
    const outcome = await call.refer(target);
    expect(outcome.response.status).toBe(202);
    const refer = await incoming.waitForRequest('REFER');
    expect(refer.get('Refer-To')).toContain(target);
    expect(outcome.notifications.length).toBeGreaterThan(0);
    const notify = outcome.notifications[outcome.notifications.length - 1];
    expect(notify.get('Event')).toMatch(/^refer/);
    expect(notify.contentType()).toMatch(/^message\/sipfrag/);
    expect(bodyOf(notify)).toMatch(/^SIP\/2\.0 200/);
    expect(outcome.finalStatus).toBe(200);
    expect((await call.bye()).status).toBe(200);
  });

  it('MESSAGE in page mode (RFC 3428) with the asserted identity', async () => {
    const a = await party();
    const b = await party();
    const hops = new HopNames({ A: lab }, { UEa: a.ue, UEb: b.ue });
    const text = `hello ${Date.now()}`;
    const res = await a.ue.message(b.s.impu, text);
    expect(res.status).toBe(200);
    const got = await b.ue.waitForRequest((r) => r.method === 'MESSAGE');
    expect(bodyOf(got)).toBe(text);
    expect(got.contentType()).toBe('text/plain');
    expect(hops.vias(got)).toEqual(['PA', 'SA', 'IA', 'SA', 'PA', 'UEa']);
    expect(a.s.impus).toEqual(expect.arrayContaining(assertedIdentities(got).slice(0, 1)));
    expect(assertedIdentities(got).length).toBeGreaterThan(0);
  });

  it('OPTIONS to a UE is answered by the UE', async () => {
    const a = await party();
    const b = await party();
    const res = await a.ue.sendOptions(b.s.impu);
    expect(res.status).toBe(200);
    const got = await b.ue.waitForRequest((r) => r.method === 'OPTIONS');
    expect(got.to().uri).toBe(b.s.impu);
    expect(res.via()).toHaveLength(1);
  });

  it('forks to two contacts of one user: the first 200 wins, the other leg is cancelled', async () => {
    const a = await party();
    const b1 = await party({
      contactParams: '+sip.instance="<urn:uuid:00000000-0000-4000-8000-00000000b001>"',
    });
    const b2 = await party({
      s: b1.s,
      contactParams: '+sip.instance="<urn:uuid:00000000-0000-4000-8000-00000000b002>"',
    });
    const call = a.ue.call(b1.s.impu);
    const [in1, in2] = await Promise.all([b1.ue.waitForCall(10000), b2.ue.waitForCall(10000)]);
    // Both legs carry the same offer, each to its own contact.
    expect(bodyOf(in1.invite)).toBe(bodyOf(call.invite));
    expect(bodyOf(in2.invite)).toBe(bodyOf(call.invite));
    expect(in1.invite.uri).toContain(`:${b1.ue.stack.port}`);
    expect(in2.invite.uri).toContain(`:${b2.ue.stack.port}`);
    in1.ring(180);
    in2.ring(180);
    await call.waitFor(180);
    await in2.answer();
    const ok = await call.answered;
    expect(ok.status).toBe(200);
    expect(ok.to().tag).toBe(in2.dialog?.localTag);
    // RFC 3261 §16.7 step 10: the proxy cancels the other pending branch.
    expect(await in1.cancelled).toBe(true);
    expect(await in1.ended).toBe('cancelled');
    expect(traced(b1.ue, 'in', 'CANCEL')).toHaveLength(1);
    // Only one 2xx reached the caller: one dialog.
    expect(call.dialog?.remoteTag).toBe(in2.dialog?.localTag);
    expect((await call.bye()).status).toBe(200);
    expect(await in2.ended).toBe('remote-bye');
  });
});

describe('calls with IMS_CORE_TRANSPORT=udp', () => {
  let lab: Lab;
  const ues: UeSimulator[] = [];

  beforeAll(async () => {
    lab = await Lab.start({ env: { IMS_CORE_TRANSPORT: 'udp' } });
    await lab.waitForCxPeers(2);
  });

  afterAll(async () => {
    for (const ue of ues) await ue.close();
    await lab?.stop();
  });

  it('hands out Path, Service-Route and Record-Route without transport=tcp and sends over UDP', async () => {
    const parties = [];
    for (let i = 0; i < 2; i++) {
      const s = subscriberOf(lab);
      await provision(lab, s);
      const ue = await registeredUe(lab, s, {});
      ues.push(ue);
      parties.push({ s, ue });
    }
    const [a, b] = parties;
    expect(a.ue.serviceRoutes).toEqual([expect.stringMatching(/^<sip:orig@[^>]*:\d+;lr>$/)]);
    const call = a.ue.call(b.s.impu);
    const incoming = await b.ue.waitForCall(10000);
    const hops = new HopNames({ A: lab }, { UEa: a.ue, UEb: b.ue });
    expect(hops.vias(incoming.invite)).toEqual(['PA', 'SA', 'IA', 'SA', 'PA', 'UEa']);
    // The caller's P-CSCF sent it to the S-CSCF over UDP (the Service-Route names no
    // transport); each recorded one value without transport=. Further on, a copy past 1,300
    // bytes went over TCP (RFC 3261 §18.1.1), and a proxy that received it so records that
    // side with transport=tcp (RFC 5658).
    const vias = incoming.invite.via().map((v) => v.transport);
    expect([vias[0], vias[4], vias[5]]).toEqual(['UDP', 'UDP', 'UDP']);
    const rr = incoming.invite.getAll('Record-Route');
    expect(hops.recordRoute(incoming.invite).slice(-2)).toEqual(['SA', 'PA']);
    expect(rr.slice(-2).join(',')).not.toContain('transport=');
    await answered(call, incoming);
    const bye = await call.bye();
    expect(bye.status).toBe(200);
    const byeIn = incoming.requests.find((r) => r.method === 'BYE')!;
    expect(
      byeIn
        .via()
        .map((v) => v.transport)
        .slice(-2),
    ).toEqual(['UDP', 'UDP']);
  });
});
