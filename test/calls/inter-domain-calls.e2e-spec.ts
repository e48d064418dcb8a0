/**
 * Calls and messages across two home domains (issue 5 "a second home domain configured in
 * the lab, so an inter-domain call crosses an I-CSCF"): a UE of domain A calls a UE of
 * domain B. The originating S-CSCF of A sends the request to the I-CSCF of B, the callee's
 * home (TS 24.229 §5.4.3.2 step 10: "forward the request [...] to an I-CSCF of the
 * terminating home network"), by SIP URI of domain B or by tel URI through the S-CSCF's
 * ENUM-style map (SCSCF_ENUM, TS 24.229 §5.4.3.2 "E.164 ... translated").
 */
import type { UeSimulator } from '@lib/ims';
import { startTwoDomains, TwoDomainLab } from '../support/lab';
import { assertedIdentities, provision, registeredUe, subscriberOf } from './call-support';
import { bodyOf, counter, eventually, HopNames, traced } from './wire';

jest.setTimeout(150000);

describe('calls across two home domains', () => {
  let labs: TwoDomainLab;
  const ues: UeSimulator[] = [];

  beforeAll(async () => {
    labs = await startTwoDomains({ env: { IMS_EXPLAIN_FAILURES: 'true' } });
    await labs.a.waitForCxPeers(2);
    await labs.b.waitForCxPeers(2);
  });

  afterEach(async () => {
    while (ues.length) await ues.pop()!.close();
  });

  afterAll(async () => {
    await labs?.stop();
  });

  async function parties() {
    const sa = subscriberOf(labs.a);
    const sb = subscriberOf(labs.b);
    await provision(labs.a, sa);
    await provision(labs.b, sb);
    const ueA = await registeredUe(labs.a, sa);
    ues.push(ueA);
    const ueB = await registeredUe(labs.b, sb);
    ues.push(ueB);
    const hops = new HopNames({ A: labs.a, B: labs.b }, { UEa: ueA, UEb: ueB });
    return { sa, sb, ueA, ueB, hops };
  }

  it.each([
    ['the SIP URI of domain B', (sb: { impu: string }) => sb.impu],
    ['a tel URI (ENUM-style map)', (sb: { msisdn: string }) => `tel:+${sb.msisdn}`],
  ])('basic call from A to B by %s crosses the I-CSCF of B', async (_what, target) => {
    const { sa, sb, ueA, ueB, hops } = await parties();
    const call = ueA.call(target(sb));
    const incoming = await ueB.waitForCall(10000);
    const invite = incoming.invite;
    // P-CSCF A, S-CSCF A (orig), I-CSCF B (LIR in HSS B), S-CSCF B (term), P-CSCF B.
    expect(hops.vias(invite)).toEqual(['PB', 'SB', 'IB', 'SA', 'PA', 'UEa']);
    expect(hops.vias(invite)).not.toContain('IA');
    const rr = hops.recordRoute(invite);
    expect(rr[0]).toBe('PB');
    expect(rr[rr.length - 1]).toBe('PA');
    expect(rr).toEqual(expect.arrayContaining(['SA', 'SB']));
    expect(rr).not.toContain('IB');
    expect(invite.routes()).toEqual([]);
    expect(bodyOf(invite)).toBe(bodyOf(call.invite));
    expect(sa.impus).toEqual(expect.arrayContaining(assertedIdentities(invite).slice(0, 1)));
    // The terminating S-CSCF retargets to the registered contact of B's user.
    expect(invite.uri).toContain(`:${ueB.stack.port}`);

    incoming.ring(180);
    await call.waitFor(180);
    await incoming.answer();
    const ok = await call.answered;
    expect(ok.status).toBe(200);
    expect(hops.recordRoute(ok)).toEqual(rr);
    expect(bodyOf(ok)).toBe(incoming.localSdp);

    // In the dialog: both S-CSCFs and P-CSCFs, no I-CSCF.
    const info = await call.request('INFO', {
      body: 'Signal=1\r\nDuration=100\r\n',
      contentType: 'application/dtmf-relay',
    });
    expect(info.status).toBe(200);
    const infoIn = await incoming.waitForRequest('INFO');
    expect(hops.vias(infoIn)).not.toContain('IB');
    expect(hops.vias(infoIn)).toEqual(expect.arrayContaining(['PA', 'SA', 'SB', 'PB', 'UEa']));

    // The callee hangs up: its BYE crosses back through B then A.
    expect((await incoming.bye()).status).toBe(200);
    expect(await call.ended).toBe('remote-bye');
    const bye = call.requests.find((r) => r.method === 'BYE')!;
    expect(hops.vias(bye)[hops.vias(bye).length - 1]).toBe('UEb');
    expect(hops.vias(bye)).toEqual(expect.arrayContaining(['PB', 'SB', 'SA', 'PA']));
    expect(sb.impu).toBeDefined();
  });

  it('CANCEL from A crosses the I-CSCF of B hop by hop; the callee in B sees it', async () => {
    const { sb, ueA, ueB, hops } = await parties();
    const call = ueA.call(sb.impu);
    const incoming = await ueB.waitForCall(10000);
    incoming.ring(180);
    await call.waitFor(180);
    const final = await call.cancel();
    expect(final.status).toBe(487);
    expect(call.cancelResponse?.status).toBe(200);
    expect(await incoming.cancelled).toBe(true);
    const cancels = traced(ueB, 'in', 'CANCEL');
    expect(cancels).toHaveLength(1);
    expect(hops.vias(cancels[0])).toEqual(['PB']);
    // Each stateful proxy on the INVITE's path answered and relayed it (RFC 3261 §16.10).
    const cancel = { direction: 'in', method: 'CANCEL', code: '200' };
    for (const [lab, role] of [
      [labs.a, 'pcscf'],
      [labs.a, 'scscf'],
      [labs.b, 'icscf'],
      [labs.b, 'scscf'],
      [labs.b, 'pcscf'],
    ] as const) {
      await eventually(
        async () => (await counter(lab, role, 'sip_transactions_total', cancel)) > 0,
        `CANCEL 200 at ${role} of ${lab.domain}`,
      );
    }
  });

  it('a call from B to A and a MESSAGE from A to B', async () => {
    const { sa, sb, ueA, ueB, hops } = await parties();
    const call = ueB.call(sa.impu);
    const incoming = await ueA.waitForCall(10000);
    expect(hops.vias(incoming.invite)).toEqual(['PA', 'SA', 'IA', 'SB', 'PB', 'UEb']);
    await incoming.answer();
    expect((await call.answered).status).toBe(200);
    expect((await call.bye()).status).toBe(200);

    const res = await ueA.message(sb.impu, 'across');
    expect(res.status).toBe(200);
    const got = await ueB.waitForRequest((r) => r.method === 'MESSAGE');
    expect(bodyOf(got)).toBe('across');
    expect(hops.vias(got)).toEqual(['PB', 'SB', 'IB', 'SA', 'PA', 'UEa']);
  });

  it("an unknown user of domain B: 404 from B's I-CSCF reaches the caller in A", async () => {
    const { ueA, hops } = await parties();
    const call = ueA.call(`sip:nobody-${Date.now()}@${labs.b.domain}`);
    const final = await call.answered;
    expect(final.status).toBe(404);
    expect(final.via()).toHaveLength(1);
    expect(final.get('Warning')).toMatch(/^399 /);
    expect(hops).toBeDefined();
  });

  it('a tel URI in no configured range: 604 (no breakout configured)', async () => {
    const { ueA } = await parties();
    const call = ueA.call('tel:+99912345678');
    const final = await call.answered;
    expect(final.status).toBe(604);
  });
});
