/**
 * SAR/SAA (TS 29.228 §6.1.2): every Server-Assignment-Type, the registration state it leaves
 * behind (observed through UAR/LIR, as an I-CSCF would), and the User-Data document, which
 * libs/ims parses back.
 */
import { buildSar, ServerAssignmentType as T, UserAuthorizationType } from '@lib/diameter';
import { parseImsSubscription } from '@lib/ims';
import {
  barImpu,
  CxClient,
  DOMAIN,
  impiOf,
  impuOf,
  provision,
  rest,
  SCSCF_HOST,
  SCSCF_NAME,
  startHss,
  tempDb,
} from './cx-support';

// Starting an HSS process (TypeScript compiled on the fly) takes a few seconds.
jest.setTimeout(30_000);

const A = '001010000000201';
const B = '001010000000202';
const OTHER_SCSCF = 'sip:scscf2.ims.mnc001.mcc001.3gppnetwork.org:6060';

describe('Cx SAR (TS 29.228 §6.1.2)', () => {
  const db = tempDb();
  let hss: Awaited<ReturnType<typeof startHss>>;
  let client: CxClient;

  beforeAll(async () => {
    hss = await startHss(db.dbPath);
    await provision(hss.base, A, '15550201');
    await provision(hss.base, B, '15550202');
    client = new CxClient();
    await client.connect(hss.diameterPort);
  });

  afterAll(async () => {
    await client?.close();
    await hss?.close();
    db.cleanup();
  });

  const state = async (imsi: string) => {
    const uaa = await client.uar(impiOf(imsi), impuOf(imsi));
    return { code: uaa.resultCode, serverName: uaa.serverName };
  };

  it('REGISTRATION stores the S-CSCF, registers the implicit set and returns IMSSubscription user data', async () => {
    const saa = await client.sar(T.REGISTRATION, [impuOf(A)], { userName: impiOf(A) });
    expect(saa).toMatchObject({ experimental: false, resultCode: 2001, userName: impiOf(A) });
    const doc = parseImsSubscription(saa.userData!);
    expect(doc.privateId).toBe(impiOf(A));
    const identities = doc.serviceProfiles.flatMap((p) =>
      p.publicIdentities.map((i) => i.identity),
    );
    expect(identities).toEqual(
      expect.arrayContaining([
        impuOf(A),
        `sip:+15550201@ims.mnc001.mcc001.3gppnetwork.org`,
        'tel:+15550201',
      ]),
    );
    // UAR now sees an assigned S-CSCF (2002), LIR finds it for another IMPU of the set.
    expect(await state(A)).toEqual({ code: 2002, serverName: SCSCF_NAME });
    const lia = await client.lir('tel:+15550201');
    expect(lia).toMatchObject({ experimental: false, resultCode: 2001, serverName: SCSCF_NAME });
  });

  it('RE_REGISTRATION with User-Data-Already-Available=1 answers without User-Data', async () => {
    const saa = await client.sar(T.RE_REGISTRATION, [impuOf(A)], {
      userName: impiOf(A),
      userDataAlreadyAvailable: 1,
    });
    expect(saa).toMatchObject({ experimental: false, resultCode: 2001 });
    expect(saa.userData).toBeUndefined();
  });

  it('NO_ASSIGNMENT returns the profile to the assigned S-CSCF only, without changing state', async () => {
    const own = await client.sar(T.NO_ASSIGNMENT, [impuOf(A)], { userName: impiOf(A) });
    expect(own.resultCode).toBe(2001);
    expect(parseImsSubscription(own.userData!).privateId).toBe(impiOf(A));
    const foreign = await client.sar(T.NO_ASSIGNMENT, [impuOf(A)], {
      userName: impiOf(A),
      serverName: OTHER_SCSCF,
    });
    expect(foreign).toMatchObject({ experimental: false, resultCode: 5012 });
    expect(await state(A)).toEqual({ code: 2002, serverName: SCSCF_NAME });
  });

  it('refuses a REGISTRATION from another S-CSCF while registered: 5005 with the assigned Server-Name (§8.1)', async () => {
    const saa = await client.sar(T.REGISTRATION, [impuOf(A)], {
      userName: impiOf(A),
      serverName: OTHER_SCSCF,
    });
    expect(saa).toMatchObject({ experimental: true, resultCode: 5005 });
    expect(await state(A)).toEqual({ code: 2002, serverName: SCSCF_NAME });
  });

  it('UNREGISTERED_USER is refused for a registered identity (5007)', async () => {
    const saa = await client.sar(T.UNREGISTERED_USER, [impuOf(A)]);
    expect(saa).toMatchObject({ experimental: true, resultCode: 5007 });
  });

  it('USER_DEREGISTRATION clears the S-CSCF: UAR offers capabilities again (2001), LIR 5003', async () => {
    const saa = await client.sar(T.USER_DEREGISTRATION, [impuOf(A)], { userName: impiOf(A) });
    expect(saa).toMatchObject({ experimental: false, resultCode: 2001 });
    expect((await state(A)).code).toBe(2001);
    expect(await client.lir(impuOf(A))).toMatchObject({ experimental: true, resultCode: 5003 });
  });

  it('UNREGISTERED_USER (no User-Name) serves the unregistered state and names the IMPI', async () => {
    const saa = await client.sar(T.UNREGISTERED_USER, [impuOf(B)]);
    expect(saa).toMatchObject({ experimental: false, resultCode: 2001, userName: impiOf(B) });
    expect(parseImsSubscription(saa.userData!).privateId).toBe(impiOf(B));
    expect(await client.lir(impuOf(B))).toMatchObject({
      experimental: true,
      resultCode: 2003,
      serverName: SCSCF_NAME,
    });
    // UAR for an unregistered identity points at the same S-CSCF (2002).
    expect(await state(B)).toEqual({ code: 2002, serverName: SCSCF_NAME });
  });

  it('TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME keeps the S-CSCF name (UAR 2002) but not the registration', async () => {
    await client.sar(T.REGISTRATION, [impuOf(B)], { userName: impiOf(B) });
    const saa = await client.sar(T.TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME, [impuOf(B)], {
      userName: impiOf(B),
    });
    expect(saa).toMatchObject({ experimental: false, resultCode: 2001 });
    expect(await state(B)).toEqual({ code: 2002, serverName: SCSCF_NAME });
    expect(await client.lir(impuOf(B))).toMatchObject({ experimental: true, resultCode: 5003 });
    const dereg = await client.uar(impiOf(B), impuOf(B), {
      userAuthorizationType: UserAuthorizationType.DE_REGISTRATION,
    });
    expect(dereg).toMatchObject({ experimental: true, resultCode: 5003 });
  });

  it('USER_DEREGISTRATION_STORE_SERVER_NAME, TIMEOUT_ and ADMINISTRATIVE_DEREGISTRATION', async () => {
    await client.sar(T.REGISTRATION, [impuOf(B)], { userName: impiOf(B) });
    expect(
      (
        await client.sar(T.USER_DEREGISTRATION_STORE_SERVER_NAME, [impuOf(B)], {
          userName: impiOf(B),
        })
      ).resultCode,
    ).toBe(2001);
    expect(await state(B)).toEqual({ code: 2002, serverName: SCSCF_NAME });
    await client.sar(T.REGISTRATION, [impuOf(B)], { userName: impiOf(B) });
    expect(
      (await client.sar(T.TIMEOUT_DEREGISTRATION, [impuOf(B)], { userName: impiOf(B) })).resultCode,
    ).toBe(2001);
    expect((await state(B)).code).toBe(2001);
    await client.sar(T.REGISTRATION, [impuOf(B)], { userName: impiOf(B) });
    expect(
      (await client.sar(T.ADMINISTRATIVE_DEREGISTRATION, [impuOf(B)], { userName: impiOf(B) }))
        .resultCode,
    ).toBe(2001);
    expect((await state(B)).code).toBe(2001);
  });

  it('AUTHENTICATION_FAILURE / _TIMEOUT clear the S-CSCF a MAR assigned to an unregistered user', async () => {
    await client.mar(impiOf(A), impuOf(A));
    expect(await state(A)).toEqual({ code: 2002, serverName: SCSCF_NAME });
    expect(
      (await client.sar(T.AUTHENTICATION_FAILURE, [impuOf(A)], { userName: impiOf(A) })).resultCode,
    ).toBe(2001);
    expect((await state(A)).code).toBe(2001);
    await client.mar(impiOf(A), impuOf(A));
    expect(
      (await client.sar(T.AUTHENTICATION_TIMEOUT, [impuOf(A)], { userName: impiOf(A) })).resultCode,
    ).toBe(2001);
    expect((await state(A)).code).toBe(2001);
  });

  it('answers 5007 for assignment types Cx does not serve, 5001/5002 for bad identities', async () => {
    expect(await client.sar(T.PGW_UPDATE, [impuOf(A)], { userName: impiOf(A) })).toMatchObject({
      experimental: true,
      resultCode: 5007,
    });
    expect(
      await client.sar(T.REGISTRATION, ['sip:nobody@ims.mnc001.mcc001.3gppnetwork.org']),
    ).toMatchObject({
      experimental: true,
      resultCode: 5001,
    });
    expect(await client.sar(T.REGISTRATION, [impuOf(B)], { userName: impiOf(A) })).toMatchObject({
      experimental: true,
      resultCode: 5002,
    });
  });

  it('answers 5004 DIAMETER_INVALID_AVP_VALUE for a Server-Assignment-Type outside the enumeration', async () => {
    const req = buildSar({
      originHost: SCSCF_HOST,
      originRealm: DOMAIN,
      destinationRealm: DOMAIN,
      userName: impiOf(A),
      publicIdentities: [impuOf(A)],
      serverName: SCSCF_NAME,
      serverAssignmentType: 99 as T,
      userDataAlreadyAvailable: 0,
    });
    const answer = await client.node.sendRequest(req);
    expect(answer.resultCode()).toBe(5004);
    expect(answer.find('Failed-AVP')?.children[0]?.name).toBe('Server-Assignment-Type');
  });

  it('a REST change made while registered is in the very next Cx answers (the identity cache is cleared)', async () => {
    const C = '001010000000203';
    const tel = 'tel:+15550203';
    await provision(hss.base, C, '15550203');
    // A registration's four requests: they fill the HSS's identity cache for this IMPI.
    expect((await client.uar(impiOf(C), impuOf(C))).resultCode).toBe(2001);
    expect((await client.mar(impiOf(C), impuOf(C))).resultCode).toBe(2001);
    expect((await client.uar(impiOf(C), impuOf(C))).resultCode).toBe(2002);
    const before = await client.sar(T.REGISTRATION, [impuOf(C)], { userName: impiOf(C) });
    const barringOf = (userData: string) =>
      parseImsSubscription(userData)
        .serviceProfiles.flatMap((p) => p.publicIdentities)
        .find((i) => i.identity === tel)?.barringIndication;
    expect(barringOf(before.userData!)).toBe(false);
    expect((await client.uar(impiOf(C), tel)).resultCode).toBe(2002);

    await barImpu(hss.base, tel);
    // TS 29.228 §6.1.1.1 step 3: a barred IMPU cannot be registered (5003), and the profile the
    // S-CSCF downloads next carries the barring: both read after the REST change, not before.
    expect(await client.uar(impiOf(C), tel)).toMatchObject({
      experimental: false,
      resultCode: 5003,
    });
    const after = await client.sar(T.RE_REGISTRATION, [impuOf(C)], { userName: impiOf(C) });
    expect(barringOf(after.userData!)).toBe(true);
    // The registration state the HSS wrote itself stays (written through to the cache).
    expect(await state(C)).toEqual({ code: 2002, serverName: SCSCF_NAME });
  });

  it('records every SAR in the subscriber trace, newest first', async () => {
    const trace = await rest(hss.base, 'GET', `/subscribers/${A}/attempts?limit=3`);
    expect(trace).toHaveLength(3);
    expect(trace[0].id).toBeGreaterThan(trace[1].id);
    expect(trace.map((t: { command: string }) => t.command)).toContain('SAR');
    expect(JSON.stringify(trace)).not.toMatch(/465b5ce8|cd63cb71/i);
    await rest(hss.base, 'GET', '/subscribers/001019999999990/attempts', undefined, 404);
    const openapi = await rest(hss.base, 'GET', '/docs-json');
    expect(Object.keys(openapi.paths)).toContain('/subscribers/{imsi}/attempts');
  });
});
