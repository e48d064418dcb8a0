/**
 * Calls through an application server (ISC, TS 24.229 §5.4.3.2 / §5.4.3.3, TS 23.218): iFCs
 * provisioned through the HSS REST API (docs/rest-api.md) send a request from the S-CSCF to
 * the test AS (test/support/test-as.ts) with `Route: <AS>, <S-CSCF original dialog
 * identifier>`; the AS proxies it back (marked) or answers itself; an AS that does not answer
 * triggers the iFC's default handling (TS 29.228 Annex B.2.2: SESSION_CONTINUED goes on as if
 * the AS had returned the request, SESSION_TERMINATED fails the request).
 */
import type { UeSimulator } from '@lib/ims';
import { Lab } from '../support/lab';
import type { TestSubscriber } from '../support/subscribers';
import { AS_MARK_HEADER, AsBehaviour, TestAs } from '../support/test-as';
import { provision, registeredUe, subscriberOf } from './call-support';
import { bodyOf, HopNames } from './wire';

jest.setTimeout(90000);

/** TS 29.228 Annex B.2.2 SessionCase values. */
const ORIGINATING = 0;
const TERMINATING_REGISTERED = 1;
/** Default handling (TS 29.228 Annex B.2.3). */
const SESSION_CONTINUED = 0;
const SESSION_TERMINATED = 1;
const AS_TIMEOUT_MS = 1500;

describe('calls through an application server (iFC, ISC)', () => {
  let lab: Lab;
  const ues: UeSimulator[] = [];
  const servers: TestAs[] = [];

  beforeAll(async () => {
    lab = await Lab.start({
      env: { IMS_EXPLAIN_FAILURES: 'true', SCSCF_AS_TIMEOUT_MS: String(AS_TIMEOUT_MS) },
    });
    await lab.waitForCxPeers(2);
  });

  afterEach(async () => {
    while (ues.length) await ues.pop()!.close();
    while (servers.length) await servers.pop()!.stop();
  });

  afterAll(async () => {
    await lab?.stop();
  });

  async function testAs(
    opts: {
      recordRoute?: boolean;
      behaviour?: (r: import('@lib/sip').SipRequest) => AsBehaviour;
    } = {},
  ): Promise<TestAs> {
    const as = await TestAs.start({ name: `as-${servers.length}`, ...opts });
    servers.push(as);
    return as;
  }

  /**
   * A subscriber whose service profile has one iFC: `method` in `sessionCase` -> `as`
   * (TS 29.228 Annex B.2.2 trigger point in CNF: (method) AND (session case)).
   */
  async function subscriberWithIfc(
    as: TestAs,
    method: string,
    sessionCase: number,
    defaultHandling = SESSION_CONTINUED,
  ): Promise<TestSubscriber> {
    const s = subscriberOf(lab);
    const profile = await lab.rest<{ id: number }>('POST', '/service-profiles', {
      name: `sp-${s.imsi}`,
    });
    expect(profile.status).toBe(201);
    const server = await lab.rest<{ id: number }>('POST', '/application-servers', {
      name: `as-${s.imsi}`,
      serverName: as.uri,
      defaultHandling,
    });
    expect(server.status).toBe(201);
    const ifc = await lab.rest('POST', '/ifcs', {
      name: `ifc-${s.imsi}`,
      priority: 1,
      serviceProfileId: profile.body.id,
      applicationServerId: server.body.id,
      triggerPoint: {
        conditionTypeCnf: true,
        spts: [
          { group: [0], method },
          { group: [1], sessionCase },
        ],
      },
    });
    expect(ifc.status).toBe(201);
    await provision(lab, s, { serviceProfile: `sp-${s.imsi}` });
    return s;
  }

  async function plain(): Promise<TestSubscriber> {
    const s = subscriberOf(lab);
    await provision(lab, s);
    return s;
  }

  async function ue(s: TestSubscriber): Promise<UeSimulator> {
    const u = await registeredUe(lab, s);
    ues.push(u);
    return u;
  }

  it('an originating iFC routes the INVITE through the AS and back to the S-CSCF', async () => {
    const as = await testAs();
    const sa = await subscriberWithIfc(as, 'INVITE', ORIGINATING);
    const sb = await plain();
    const ueA = await ue(sa);
    const ueB = await ue(sb);
    const hops = new HopNames({ A: lab }, { UEa: ueA, UEb: ueB }).add(as.stack.port, 'AS');

    const call = ueA.call(sb.impu);
    const incoming = await ueB.waitForCall(10000);

    // At the AS: Route = the AS, then the S-CSCF's original-dialog-identifier entry
    // (TS 24.229 §5.4.3.2 step 4), which is not the `orig` Service-Route entry the UE used.
    const atAs = as.initial('INVITE');
    expect(atAs).toHaveLength(1);
    const route = atAs[0].routes().map((r) => r.uri);
    expect(route).toHaveLength(2);
    expect(hops.route(atAs[0])).toEqual(['AS', 'SA']);
    expect(route[1]).not.toBe(ueA.serviceRoutes[0].replace(/^<|>$/g, ''));
    expect(bodyOf(atAs[0])).toBe(bodyOf(call.invite));

    // At the callee: marked by the AS, through it, SDP untouched.
    const invite = incoming.invite;
    expect(invite.get(AS_MARK_HEADER)).toBe(as.name);
    expect(hops.vias(invite)).toEqual(['PA', 'SA', 'IA', 'SA', 'AS', 'SA', 'PA', 'UEa']);
    expect(bodyOf(invite)).toBe(bodyOf(call.invite));
    // The AS did not Record-Route: it is not in the dialog.
    expect(hops.recordRoute(invite)).not.toContain('AS');

    await incoming.answer();
    expect((await call.answered).status).toBe(200);
    expect((await call.bye()).status).toBe(200);
    expect(as.received.filter((r) => r.method === 'BYE')).toHaveLength(0);
    expect(as.initial('INVITE')).toHaveLength(1); // each iFC applied once
  });

  it('a terminating iFC with a record-routing AS keeps the AS in the dialog', async () => {
    const as = await testAs({ recordRoute: true });
    const sa = await plain();
    const sb = await subscriberWithIfc(as, 'INVITE', TERMINATING_REGISTERED);
    const ueA = await ue(sa);
    const ueB = await ue(sb);
    const hops = new HopNames({ A: lab }, { UEa: ueA, UEb: ueB }).add(as.stack.port, 'AS');

    const call = ueA.call(sb.impu);
    const incoming = await ueB.waitForCall(10000);
    expect(incoming.invite.get(AS_MARK_HEADER)).toBe(as.name);
    expect(hops.vias(incoming.invite)).toEqual(['PA', 'SA', 'AS', 'SA', 'IA', 'SA', 'PA', 'UEa']);
    expect(hops.recordRoute(incoming.invite)).toContain('AS');
    await incoming.answer();
    const ok = await call.answered;
    expect(ok.status).toBe(200);
    expect(hops.recordRoute(ok)).toContain('AS');
    expect((await call.bye()).status).toBe(200);
    expect(as.received.filter((r) => r.method === 'BYE')).toHaveLength(1);
  });

  it.each([
    ['MESSAGE', 200],
    ['INVITE', 486],
  ])('an AS answering %s itself (%i): the callee sees nothing', async (method, status) => {
    const as = await testAs({ behaviour: () => ({ kind: 'respond', status }) });
    const sa = await plain();
    const sb = await subscriberWithIfc(as, method, TERMINATING_REGISTERED);
    const ueA = await ue(sa);
    const ueB = await ue(sb);
    const final =
      method === 'MESSAGE'
        ? await ueA.message(sb.impu, 'to the AS')
        : await ueA.call(sb.impu).answered;
    expect(final.status).toBe(status);
    expect(as.initial(method)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(ueB.received.filter((r) => r.method === method)).toHaveLength(0);
  });

  it('a silent AS with SESSION_CONTINUED: default handling goes on and the call completes', async () => {
    const as = await testAs({ behaviour: () => ({ kind: 'silent' }) });
    const sa = await subscriberWithIfc(as, 'INVITE', ORIGINATING, SESSION_CONTINUED);
    const sb = await plain();
    const ueA = await ue(sa);
    const ueB = await ue(sb);
    const hops = new HopNames({ A: lab }, { UEa: ueA, UEb: ueB }).add(as.stack.port, 'AS');
    const started = Date.now();
    const call = ueA.call(sb.impu);
    const incoming = await ueB.waitForCall(AS_TIMEOUT_MS + 15000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(AS_TIMEOUT_MS - 100);
    expect(as.initial('INVITE')).toHaveLength(1);
    expect(incoming.invite.has(AS_MARK_HEADER)).toBe(false);
    expect(hops.vias(incoming.invite)).not.toContain('AS');
    expect(bodyOf(incoming.invite)).toBe(bodyOf(call.invite));
    await incoming.answer();
    expect((await call.answered).status).toBe(200);
    expect((await call.bye()).status).toBe(200);
  });

  it('a silent AS with SESSION_TERMINATED: the call fails and the callee sees nothing', async () => {
    const as = await testAs({ behaviour: () => ({ kind: 'silent' }) });
    const sa = await subscriberWithIfc(as, 'INVITE', ORIGINATING, SESSION_TERMINATED);
    const sb = await plain();
    const ueA = await ue(sa);
    const ueB = await ue(sb);
    const final = await ueA.call(sb.impu).answered;
    expect([408, 500, 503, 504]).toContain(final.status);
    expect(as.initial('INVITE')).toHaveLength(1);
    expect(ueB.received.filter((r) => r.method === 'INVITE')).toHaveLength(0);
  });
});
