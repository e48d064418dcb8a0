/**
 * Session routing through the whole core (TS 24.229 §5.2.6/§5.4.3/§5.3.2, DESIGN.md "Calls"):
 * the four roles as real processes (test/support/lab.ts), UEs registered with AKA through the
 * P-CSCF. The flow within one domain is P -> S(orig) -> I (LIR) -> S(term) -> P, with the P-
 * and S-CSCF Record-Routing on both legs.
 */
import { buildCancel } from '@lib/sip';
import { DOMAIN, Lab, type Role } from '../support/lab';
import { ANSWER, CallUe, OFFER } from './call-support';

jest.setTimeout(90_000);

/** Waits (bounded) until a role's log matches. */
async function waitForLog(lab: Lab, role: Role, re: RegExp, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!re.test(lab.logs(role))) {
    if (Date.now() > end) throw new Error(`${role} never logged ${re}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('call routing through P-, S-, I-CSCF (one home domain)', () => {
  let lab: Lab;
  const ues: CallUe[] = [];
  const ue = async (register = true) => {
    const u = await CallUe.start(lab, { register });
    ues.push(u);
    return u;
  };

  beforeAll(async () => {
    lab = await Lab.start({
      roleEnv: {
        // debug: the P- and S-CSCF log each dialog confirmed / ended with the open count.
        scscf: { SCSCF_AS_TIMEOUT_MS: '600', SCSCF_LOG_LEVEL: 'debug' },
        pcscf: { PCSCF_LOG_LEVEL: 'debug' },
      },
    });
    await lab.waitForCxPeers();
  });
  afterAll(async () => {
    for (const u of ues) await u.close();
    await lab?.stop();
  });

  it('basic call: INVITE/180/200/ACK/BYE, Record-Route of P and S on both legs, SDP untouched', async () => {
    const alice = await ue();
    const bob = await ue();
    const { invite, final, provisional, dialog } = await alice.call(bob.impu);
    expect(final.status).toBe(200);
    expect(provisional.map((r) => r.status)).toContain(180);

    // What bob received: the INVITE over P(term) <- S(term) <- I <- S(orig) <- P(orig) <- alice.
    const atBob = await bob.waitFor((r) => r.method === 'INVITE');
    expect(atBob.uri).toBe(bob.ue.contactUri);
    expect(atBob.via()).toHaveLength(6);
    expect(atBob.pAssertedIdentities()[0].uri).toBe(alice.impu);
    expect(atBob.body.toString()).toBe(OFFER);
    expect(atBob.getAll('Route')).toEqual([]);
    // RFC 3261 §16.6 step 4: P(term), S(term), S(orig), P(orig) recorded; the I-CSCF is not.
    // Each P-CSCF twice (RFC 5658): the UE's side (UDP) and the core's (TCP by default).
    const rr = final.getAll('Record-Route');
    const pcscf = rr.filter((r) => r.includes(`:${lab.ports.pcscf};`));
    const scscf = rr.filter((r) => r.includes(`:${lab.ports.scscf};transport=tcp;lr`));
    expect(pcscf).toEqual([
      expect.stringContaining(`:${lab.ports.pcscf};lr`),
      expect.stringContaining(`:${lab.ports.pcscf};transport=tcp;lr`),
      expect.stringContaining(`:${lab.ports.pcscf};transport=tcp;lr`),
      expect.stringContaining(`:${lab.ports.pcscf};lr`),
    ]);
    expect(scscf).toHaveLength(2);
    expect(rr).toHaveLength(6);
    expect(rr.some((r) => r.includes(`:${lab.ports.icscf}`))).toBe(false);
    expect(final.body.toString()).toBe(ANSWER);
    expect(final.callId()).toBe(invite.callId());

    // ACK for the 2xx follows the route set to bob (end to end, RFC 3261 §13.2.2.4).
    const ack = await bob.waitFor((r) => r.method === 'ACK');
    expect(ack.cseq().seq).toBe(invite.cseq().seq);
    expect(ack.getAll('Route')).toEqual([]);

    // BYE from the caller, through every Record-Route hop.
    const bye = await alice.inDialog(dialog!, 'BYE');
    expect(bye.status).toBe(200);
    const byeAtBob = await bob.waitFor((r) => r.method === 'BYE');
    // alice -> P -> S (its two Record-Route entries are popped at once) -> P -> bob.
    expect(byeAtBob.via()).toHaveLength(4);
    // Dialog state: confirmed on the 2xx, ended by the BYE, at both the P- and the S-CSCF.
    const id = escape(invite.callId());
    for (const role of ['pcscf', 'scscf'] as Role[]) {
      await waitForLog(lab, role, new RegExp(`dialog confirmed Call-ID ${id}`));
      await waitForLog(lab, role, new RegExp(`dialog ended Call-ID ${id}`));
    }
  });

  it('a dialog whose user de-registers is dropped at the P- and S-CSCF (no BYE needed)', async () => {
    const alice = await ue();
    const bob = await ue();
    const { invite, final } = await alice.call(bob.impu);
    expect(final.status).toBe(200);
    const id = escape(invite.callId());
    for (const role of ['pcscf', 'scscf'] as Role[])
      await waitForLog(lab, role, new RegExp(`dialog confirmed Call-ID ${id}`));
    expect((await bob.ue.deregister()).status).toBe(200);
    for (const role of ['pcscf', 'scscf'] as Role[])
      await waitForLog(lab, role, new RegExp(`dialog ended Call-ID ${id}`));
  });

  it('mid-dialog requests both ways: re-INVITE, INFO and UPDATE from the caller, BYE from the callee', async () => {
    const alice = await ue();
    const bob = await ue();
    const { invite, final, dialog } = await alice.call(bob.impu);
    expect(final.status).toBe(200);
    for (const method of ['INFO', 'UPDATE']) {
      expect((await alice.inDialog(dialog!, method)).status).toBe(200);
      const atBob = await bob.waitFor((r) => r.method === method);
      expect(atBob.uri).toBe(bob.ue.contactUri);
      // The P-CSCF handled it as a request from its UE (identity asserted), though the
      // peer's Contact is registered at the same P-CSCF (TS 24.229 §5.2.6.3).
      expect(atBob.pAssertedIdentities()[0].uri).toBe(alice.impu);
      expect(atBob.via()).toHaveLength(4);
    }
    const reinvite = dialog!.createRequest('INVITE', {
      body: OFFER,
      contentType: 'application/sdp',
    });
    const re = await alice.send(reinvite);
    expect(re.final.status).toBe(200);
    await alice.ue.stack.sendStateless(dialog!.createAck(reinvite), lab.pcscf());
    await bob.waitFor((r) => r.method === 'ACK' && r.cseq().seq === reinvite.cseq().seq);
    // The callee hangs up: its BYE follows the route set the other way round.
    const bobDialog = bob.answered.get(invite.callId())!;
    expect(bobDialog).toBeDefined();
    const bye = await bob.send(bobDialog.createRequest('BYE'));
    expect(bye.final.status).toBe(200);
    const atAlice = await alice.waitFor((r) => r.method === 'BYE');
    expect(atAlice.uri).toBe(alice.ue.contactUri);
    expect(atAlice.via()).toHaveLength(4);
  });

  it('CANCEL before answer: 200 to the CANCEL, 487 to the INVITE, the callee sees the CANCEL', async () => {
    const alice = await ue();
    const bob = await ue();
    bob.answer = { status: 0, ringFirst: true }; // rings, never answers
    const invite = alice.request('INVITE', bob.impu, { type: 'application/sdp', content: OFFER });
    let ringing!: () => void;
    const rang = new Promise<void>((r) => (ringing = r));
    const pending = alice.ue.stack.request(invite, {
      destination: lab.pcscf(),
      onProvisional: (r) => r.status === 180 && ringing(),
    });
    await rang;
    const cancel = await alice.ue.stack.request(buildCancel(invite), {
      destination: lab.pcscf(),
    });
    expect(cancel.status).toBe(200);
    expect((await pending).status).toBe(487);
    const atBob = await bob.waitFor((r) => r.method === 'CANCEL');
    expect(atBob.callId()).toBe(invite.callId());
  });

  it('forks to every registered contact; the first 200 wins and the other leg is CANCELled', async () => {
    const alice = await ue();
    const bob1 = await ue();
    const bob2 = await CallUe.start(lab, { sub: bob1.sub });
    ues.push(bob2);
    bob1.answer = { status: 200, ringFirst: true, delayMs: 300 };
    bob2.answer = { status: 0, ringFirst: true };
    const { final, dialog } = await alice.call(bob1.impu);
    expect(final.status).toBe(200);
    expect(final.get('Contact')).toContain(bob1.ue.contactUri);
    const inv1 = await bob1.waitFor((r) => r.method === 'INVITE');
    const inv2 = await bob2.waitFor((r) => r.method === 'INVITE');
    expect(inv1.uri).toBe(bob1.ue.contactUri);
    expect(inv2.uri).toBe(bob2.ue.contactUri);
    await bob2.waitFor((r) => r.method === 'CANCEL');
    expect((await alice.inDialog(dialog!, 'BYE')).status).toBe(200);
  });

  it('SUBSCRIBE for another event package reaches the user; its NOTIFY comes back in the dialog', async () => {
    const alice = await ue();
    const bob = await ue();
    const subscribe = alice.request('SUBSCRIBE', bob.impu);
    subscribe.set('Event', 'presence');
    subscribe.set('Expires', '60');
    const { final } = await alice.send(subscribe);
    expect(final.status).toBe(200);
    expect(final.getAll('Record-Route')).toHaveLength(6); // P twice on each side, S twice
    const atBob = await bob.waitFor((r) => r.method === 'SUBSCRIBE');
    expect(atBob.get('Event')).toBe('presence');
    expect(atBob.pAssertedIdentities()[0].uri).toBe(alice.impu);
    const dialog = bob.answered.get(subscribe.callId())!;
    const notify = dialog.createRequest('NOTIFY', {
      headers: [
        ['Event', 'presence'],
        ['Subscription-State', 'active;expires=60'],
      ],
    });
    expect((await bob.send(notify)).final.status).toBe(200);
    const atAlice = await alice.ue.waitForRequest(
      (r) => r.method === 'NOTIFY' && r.get('Event') === 'presence',
    );
    expect(atAlice.uri).toBe(alice.ue.contactUri);
    expect(atAlice.via()).toHaveLength(4);
  });

  it('OPTIONS to a registered UE is answered by the UE', async () => {
    const alice = await ue();
    const bob = await ue();
    const { final } = await alice.send(alice.request('OPTIONS', bob.impu));
    expect(final.status).toBe(200);
    await bob.waitFor((r) => r.method === 'OPTIONS');
  });

  it('MESSAGE outside a dialog is routed like INVITE (originating, terminating)', async () => {
    const alice = await ue();
    const bob = await ue();
    const msg = alice.request('MESSAGE', bob.impu, { type: 'text/plain', content: 'hello bob' });
    const { final } = await alice.send(msg);
    expect(final.status).toBe(200);
    const atBob = await bob.waitFor((r) => r.method === 'MESSAGE');
    expect(atBob.body.toString()).toBe('hello bob');
    expect(atBob.pAssertedIdentities()[0].uri).toBe(alice.impu);
  });

  it('unknown callee: 404 with the I-CSCF cause (LIR user unknown)', async () => {
    const alice = await ue();
    const { final } = await alice.call(`sip:nobody-${Date.now()}@${DOMAIN}`);
    expect(final.status).toBe(404);
    expect(final.get('Warning')).toMatch(/unknown user/);
  });

  it('known but unregistered callee: 480 with a cause', async () => {
    const alice = await ue();
    const carol = await ue(false);
    const { final } = await alice.call(carol.impu);
    expect(final.status).toBe(480);
    expect(final.get('Warning')).toMatch(/not registered/);
  });

  it('a tel URI is translated by the ENUM map and reaches the callee', async () => {
    const alice = await ue();
    const bob = await ue();
    const { final } = await alice.send(
      alice.request('MESSAGE', `tel:+${bob.sub.msisdn}`, { type: 'text/plain', content: 'tel' }),
    );
    expect(final.status).toBe(200);
    const atBob = await bob.waitFor((r) => r.method === 'MESSAGE');
    expect(atBob.body.toString()).toBe('tel');
  });
});
