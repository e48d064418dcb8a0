/**
 * Requests between two home domains (DESIGN.md "Calls", TS 24.229 §5.3.2.1, §5.4.3.2): the
 * originating S-CSCF of domain A sends a request for a user of domain B to B's I-CSCF (its
 * SCSCF_ICSCFS entry), which finds B's S-CSCF by LIR. Both labs run as real processes
 * (test/support/lab.ts startTwoDomains).
 */
import { DOMAIN_B, startTwoDomains, type TwoDomainLab } from '../support/lab';
import { CallUe, OFFER } from '../scscf/call-support';

jest.setTimeout(120_000);

describe('routing across two home domains through the callee’s I-CSCF', () => {
  let labs: TwoDomainLab;
  const ues: CallUe[] = [];

  beforeAll(async () => {
    labs = await startTwoDomains();
    await labs.a.waitForCxPeers();
    await labs.b.waitForCxPeers();
  });
  afterAll(async () => {
    for (const u of ues) await u.close();
    await labs?.stop();
  });

  it('a call from domain A to a SIP URI of domain B: P(A), S(A), I(B), S(B), P(B), and back', async () => {
    const alice = await CallUe.start(labs.a);
    const bob = await CallUe.start(labs.b, { msisdnPrefix: '1556' });
    ues.push(alice, bob);
    expect(bob.impu.endsWith(`@${DOMAIN_B}`)).toBe(true);
    const { final, dialog } = await alice.call(bob.impu);
    expect(final.status).toBe(200);
    const atBob = await bob.waitFor((r) => r.method === 'INVITE');
    expect(atBob.via()).toHaveLength(6);
    // B's I-CSCF forwarded it (the third hop from the caller), A's S-CSCF before it.
    const viaPorts = atBob.via().map((v) => v.port);
    expect(viaPorts).toEqual([
      labs.b.ports.pcscf,
      labs.b.ports.scscf,
      labs.b.ports.icscf,
      labs.a.ports.scscf,
      labs.a.ports.pcscf,
      expect.any(Number),
    ]);
    expect(atBob.pAssertedIdentities()[0].uri).toBe(alice.impu);
    expect(atBob.body.toString()).toBe(OFFER);
    const rr = final.getAll('Record-Route').join(' ');
    for (const port of [
      labs.a.ports.pcscf,
      labs.a.ports.scscf,
      labs.b.ports.scscf,
      labs.b.ports.pcscf,
    ])
      expect(rr).toContain(`:${port};transport=tcp;lr`); // the core's side of each (RFC 5658)
    expect(rr).not.toContain(`:${labs.b.ports.icscf}`);
    expect((await alice.inDialog(dialog!, 'BYE')).status).toBe(200);
    const bye = await bob.waitFor((r) => r.method === 'BYE');
    expect(bye.via()).toHaveLength(5); // P(A), S(A), S(B), P(B): the I-CSCF is not on the route set
  });

  it('a tel URI of domain B’s range is translated by A’s ENUM map and delivered', async () => {
    const alice = await CallUe.start(labs.a);
    const bob = await CallUe.start(labs.b, { msisdnPrefix: '1556' });
    ues.push(alice, bob);
    const { final } = await alice.send(
      alice.request('MESSAGE', `tel:+${bob.sub.msisdn}`, { type: 'text/plain', content: 'A to B' }),
    );
    expect(final.status).toBe(200);
    const atBob = await bob.waitFor((r) => r.method === 'MESSAGE');
    expect(atBob.body.toString()).toBe('A to B');
  });

  it('an unknown user of domain B: 404 from B’s I-CSCF, with its cause', async () => {
    const bob = await CallUe.start(labs.b, { msisdnPrefix: '1556' });
    ues.push(bob);
    const alice = await CallUe.start(labs.a);
    ues.push(alice);
    const { final } = await alice.call(`sip:nobody@${DOMAIN_B}`);
    expect(final.status).toBe(404);
    expect(final.get('Warning')).toMatch(new RegExp(`icscf\\.${DOMAIN_B.replace(/\./g, '\\.')}`));
  });
});
