/**
 * Session routing through the whole core (TS 24.229 §5.2.6/§5.4.3/§5.3.2, DESIGN.md "Calls"):
 * the four roles as real processes (test/support/lab.ts), UEs registered with AKA through the
 * P-CSCF. The flow within one domain is P -> S(orig) -> I (LIR) -> S(term) -> P, with the P-
 * and S-CSCF Record-Routing on both legs.
 */
import { DOMAIN, Lab } from '../support/lab';
import { ANSWER, CallUe, OFFER } from './call-support';

jest.setTimeout(90_000);

describe('call routing through P-, S-, I-CSCF (one home domain)', () => {
  let lab: Lab;
  const ues: CallUe[] = [];
  const ue = async (register = true) => {
    const u = await CallUe.start(lab, { register });
    ues.push(u);
    return u;
  };

  beforeAll(async () => {
    lab = await Lab.start({ roleEnv: { scscf: { SCSCF_AS_TIMEOUT_MS: '600' } } });
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
    const rr = final.getAll('Record-Route');
    const pcscf = rr.filter((r) => r.includes(`:${lab.ports.pcscf};lr`));
    const scscf = rr.filter((r) => r.includes(`:${lab.ports.scscf};lr`));
    expect(pcscf).toHaveLength(2);
    expect(scscf).toHaveLength(2);
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
