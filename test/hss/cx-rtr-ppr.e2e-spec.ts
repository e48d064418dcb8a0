/**
 * HSS-initiated Cx (TS 29.228 §6.1.3 RTR, §6.2.2 PPR) over the connection the S-CSCF opened,
 * triggered through REST exactly as an operator would; /health peers; the trace.
 */
import { buildPpa, buildRta, parsePpr, parseRtr, ServerAssignmentType as T } from '@lib/diameter';
import { parseImsSubscription } from '@lib/ims';
import {
  CxClient,
  DOMAIN,
  impiOf,
  impuOf,
  impusOf,
  provision,
  provisionWithProfile,
  rest,
  SCSCF_HOST,
  startHss,
  tempDb,
} from './cx-support';

// Starting an HSS process (TypeScript compiled on the fly) takes a few seconds.
jest.setTimeout(30_000);

const A = '001010000000401';
const B = '001010000000402';
const C = '001010000000403';
const D = '001010000000404';
const E = '001010000000405';
const SCSCF2_HOST = `scscf2.${DOMAIN}`;
const SCSCF2_NAME = `sip:scscf2.${DOMAIN}:6060`;

describe('Cx RTR and PPR (TS 29.228 §6.1.3, §6.2.2)', () => {
  const db = tempDb();
  let hss: Awaited<ReturnType<typeof startHss>>;
  let scscf: CxClient;

  beforeAll(async () => {
    hss = await startHss(db.dbPath);
    await provision(hss.base, A, '15550401');
    await provision(hss.base, B, '15550402');
    await provision(hss.base, D, '15550404');
    await provision(hss.base, E, '15550405');
    scscf = new CxClient();
    await scscf.connect(hss.diameterPort);
  });

  afterAll(async () => {
    await scscf?.close();
    await hss?.close();
    db.cleanup();
  });

  beforeEach(() => {
    scscf.received.length = 0;
    scscf.answerWith = (req) =>
      req.commandCode === 304
        ? buildRta(req, { resultCode: 2001, originHost: SCSCF_HOST, originRealm: DOMAIN })
        : buildPpa(req, { resultCode: 2001, originHost: SCSCF_HOST, originRealm: DOMAIN });
  });

  /** Polls the I-CSCF view (UAR) until the S-CSCF assignment is gone (bounded). */
  async function waitUnassigned(imsi: string): Promise<number> {
    for (let i = 0; i < 100; i++) {
      const uaa = await scscf.uar(impiOf(imsi), impuOf(imsi));
      if (uaa.resultCode === 2001) return uaa.resultCode;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${imsi} still has an S-CSCF`);
  }

  it('/health lists the connected S-CSCF with its peer state', async () => {
    const health = await rest(hss.base, 'GET', '/health');
    expect(health.diameter.listening).toBe(true);
    expect(health.diameter.peers).toEqual(
      expect.arrayContaining([expect.objectContaining({ originHost: SCSCF_HOST })]),
    );
  });

  it('sends RTR after a REST de-registration; the RTA clears the registration', async () => {
    await scscf.sar(T.REGISTRATION, [impuOf(A)], { userName: impiOf(A) });
    await rest(hss.base, 'POST', `/subscribers/${A}/deregister`, {});
    const [req] = await scscf.waitForRequests(1);
    expect(req.commandCode).toBe(304);
    const rtr = parseRtr(req);
    expect(rtr.userName).toBe(impiOf(A));
    expect(rtr.publicIdentities).toEqual(expect.arrayContaining(impusOf(A, '15550401')));
    expect(rtr.deregistrationReason.reasonCode).toBeGreaterThanOrEqual(0);
    expect(rtr.originHost).toBe(hss.config.diameterOriginHost);
    expect(rtr.destinationHost).toBe(SCSCF_HOST);
    expect(await waitUnassigned(A)).toBe(2001);
    const trace = await rest(hss.base, 'GET', `/subscribers/${A}/attempts?limit=5`);
    expect(trace.find((t: { command: string }) => t.command === 'RTR')).toMatchObject({
      resultCode: 2001,
      experimental: false,
      originHost: SCSCF_HOST,
    });
  });

  it('sends RTR (PERMANENT_TERMINATION) when a registered subscriber is deleted', async () => {
    await scscf.sar(T.REGISTRATION, [impuOf(B)], { userName: impiOf(B) });
    const res = await fetch(`${hss.base}/subscribers/${B}`, { method: 'DELETE' });
    expect(res.status).toBeLessThan(300);
    const [req] = await scscf.waitForRequests(1);
    const rtr = parseRtr(req);
    expect(rtr.userName).toBe(impiOf(B));
    expect(rtr.deregistrationReason.reasonCode).toBe(0);
    expect(rtr.publicIdentities).toEqual(expect.arrayContaining([impuOf(B)]));
  });

  it('keeps the registration when the S-CSCF refuses the RTR, and records the failure', async () => {
    await scscf.sar(T.REGISTRATION, [impuOf(D)], { userName: impiOf(D) });
    scscf.answerWith = (req) =>
      buildRta(req, { resultCode: 5012, originHost: SCSCF_HOST, originRealm: DOMAIN });
    await rest(hss.base, 'POST', `/subscribers/${D}/deregister`, {});
    await scscf.waitForRequests(1);
    let rtrLine: { resultCode: number } | undefined;
    for (let i = 0; i < 100 && !rtrLine; i++) {
      const trace = await rest(hss.base, 'GET', `/subscribers/${D}/attempts?limit=5`);
      rtrLine = trace.find((t: { command: string }) => t.command === 'RTR');
      if (!rtrLine) await new Promise((r) => setTimeout(r, 20));
    }
    expect(rtrLine?.resultCode).toBe(5012);
    expect((await scscf.uar(impiOf(D), impuOf(D))).resultCode).toBe(2002);
  });

  it('cancels the old S-CSCF with RTR NEW_SERVER_ASSIGNED when a MAR comes from another one (§8.1.1)', async () => {
    await scscf.sar(T.REGISTRATION, [impuOf(E)], { userName: impiOf(E) });
    const other = new CxClient(SCSCF2_HOST);
    try {
      await other.connect(hss.diameterPort);
      const maa = await other.mar(impiOf(E), impuOf(E), { serverName: SCSCF2_NAME });
      expect(maa.resultCode).toBe(2001);
      const [req] = await scscf.waitForRequests(1);
      const rtr = parseRtr(req);
      expect(rtr.userName).toBe(impiOf(E));
      expect(rtr.deregistrationReason.reasonCode).toBe(1);
      expect(rtr.destinationHost).toBe(SCSCF_HOST);
      expect(other.received).toHaveLength(0);
      // The new assignment stands once the old S-CSCF's RTA has been processed (traced).
      let traced = false;
      for (let i = 0; i < 100 && !traced; i++) {
        const trace = await rest(hss.base, 'GET', `/subscribers/${E}/attempts?limit=3`);
        traced = trace.some((t: { command: string }) => t.command === 'RTR');
        if (!traced) await new Promise((r) => setTimeout(r, 20));
      }
      expect(traced).toBe(true);
      const uaa = await scscf.uar(impiOf(E), impuOf(E));
      expect(uaa).toMatchObject({ experimental: true, resultCode: 2002, serverName: SCSCF2_NAME });
    } finally {
      await other.close();
    }
  });

  it('pushes the new User-Data in a PPR after an iFC of the registered user changes', async () => {
    const { ifcId } = await provisionWithProfile(hss.base, C, '15550403', {
      method: 'INVITE',
      priority: 1,
    });
    await scscf.sar(T.REGISTRATION, [impuOf(C)], { userName: impiOf(C) });
    scscf.received.length = 0;
    await rest(hss.base, 'PATCH', `/ifcs/${ifcId}`, { priority: 7 });
    const [req] = await scscf.waitForRequests(1);
    expect(req.commandCode).toBe(305);
    const ppr = parsePpr(req);
    expect(ppr.userName).toBe(impiOf(C));
    const doc = parseImsSubscription(ppr.userData!);
    const priorities = doc.serviceProfiles.flatMap((p) =>
      p.initialFilterCriteria.map((i) => i.priority),
    );
    expect(priorities).toEqual([7]);
  });
});
