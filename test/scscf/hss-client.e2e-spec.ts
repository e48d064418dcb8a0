/**
 * The Cx client of libs/ims (HssClient) against a real HSS over loopback TCP: typed
 * UAR/MAR/SAR/LIR answers, RTR and PPR handlers driven through the HSS REST API, and the
 * typed HssUnavailableError when no peer is open or an answer never comes.
 */
import { once } from 'node:events';
import {
  buildRtr,
  CX_APPLICATION_ID,
  DiameterNode,
  parseRta,
  ServerAssignmentType,
  UserAuthorizationType,
  VENDOR_3GPP,
} from '@lib/diameter';
import { HssClient, HssUnavailableError, parseImsSubscription, ueProcessChallenge } from '@lib/ims';
import {
  attempts,
  DOMAIN,
  impiOf,
  impuOf,
  impusOf,
  provision,
  rest,
  RunningHss,
  startHss,
  TEST_SET_1,
} from './hss-support';

const SCSCF_HOST = `scscf.${DOMAIN}`;
const SCSCF_NAME = `sip:scscf.${DOMAIN}:6060`;
const A = '001010000000901';
const B = '001010000000902';

function client(port: number, timeoutMs = 3000): HssClient {
  return new HssClient({
    hssHost: '127.0.0.1',
    hssPort: port,
    originHost: SCSCF_HOST,
    originRealm: DOMAIN,
    requestTimeoutMs: timeoutMs,
    reconnect: { initialMs: 50, maxMs: 200 },
  });
}

jest.setTimeout(20000);

describe('HssClient (TS 29.228 Cx) against a real HSS', () => {
  let hss: RunningHss;
  let cx: HssClient;

  beforeAll(async () => {
    hss = await startHss();
    await provision(hss.base, A, '15550901');
    await provision(hss.base, B, '15550902');
    cx = client(hss.diameterPort);
    await cx.waitUntilConnected();
  });

  afterAll(async () => {
    await cx?.close();
    await hss?.cleanup();
  });

  it('UAR: first registration has no S-CSCF yet (Experimental-Result 2001)', async () => {
    const uaa = await cx.uar({
      userName: impiOf(A),
      publicIdentity: impuOf(A),
      visitedNetworkIdentifier: DOMAIN,
      userAuthorizationType: UserAuthorizationType.REGISTRATION,
    });
    expect(uaa).toMatchObject({ experimental: true, resultCode: 2001 });
  });

  it('MAR: an AKAv1 vector whose AUTN verifies at the UE and whose XRES matches RES', async () => {
    const maa = await cx.mar({
      userName: impiOf(A),
      publicIdentity: impuOf(A),
      serverName: SCSCF_NAME,
      numberAuthItems: 1,
      authDataItem: { scheme: 'Unknown' },
    });
    expect(maa).toMatchObject({ experimental: false, resultCode: 2001 });
    const [item] = maa.items;
    expect(item.scheme).toBe('Digest-AKAv1-MD5');
    const ue = ueProcessChallenge({
      k: TEST_SET_1.k,
      opc: TEST_SET_1.opc,
      rand: item.authenticate!.subarray(0, 16),
      autn: item.authenticate!.subarray(16, 32),
    });
    expect(ue.kind).toBe('ok');
    if (ue.kind === 'ok') expect(Buffer.from(ue.res).equals(item.authorization!)).toBe(true);
  });

  it('SAR REGISTRATION returns the IMSSubscription with the implicit set; LIR then names us', async () => {
    const saa = await cx.sar({
      userName: impiOf(A),
      publicIdentities: [impuOf(A)],
      serverName: SCSCF_NAME,
      serverAssignmentType: ServerAssignmentType.REGISTRATION,
      userDataAlreadyAvailable: 0,
    });
    expect(saa).toMatchObject({ experimental: false, resultCode: 2001 });
    const sub = parseImsSubscription(saa.userData!);
    const ids = sub.serviceProfiles.flatMap((p) => p.publicIdentities.map((i) => i.identity));
    expect(ids).toEqual(expect.arrayContaining(impusOf(A, '15550901')));
    const lia = await cx.lir({ publicIdentity: impuOf(A) });
    expect(lia).toMatchObject({ resultCode: 2001, serverName: SCSCF_NAME });
  });

  it('answers RTR through the registered handler (REST de-register -> RTR -> RTA 2001)', async () => {
    await cx.sar({
      userName: impiOf(B),
      publicIdentities: [impuOf(B)],
      serverName: SCSCF_NAME,
      serverAssignmentType: ServerAssignmentType.REGISTRATION,
      userDataAlreadyAvailable: 0,
    });
    const got = new Promise<string[]>((resolve) =>
      cx.onRtr((rtr) => {
        resolve(rtr.publicIdentities ?? []);
        return { resultCode: 2001 };
      }),
    );
    await rest(hss.base, 'POST', `/subscribers/${B}/deregister`, {});
    expect(await got).toEqual(expect.arrayContaining([impuOf(B)]));
    let rtr: { resultCode: number } | undefined;
    for (let i = 0; i < 100 && !rtr; i++) {
      rtr = (await attempts(hss.base, B)).find((t) => t.command === 'RTR');
      if (!rtr) await new Promise((r) => setTimeout(r, 20));
    }
    expect(rtr?.resultCode).toBe(2001);
  });

  it('answers PPR through the registered handler with the new user data', async () => {
    const got = new Promise<string | undefined>((resolve) =>
      cx.onPpr((ppr) => {
        resolve(ppr.userData);
        return { resultCode: 2001 };
      }),
    );
    const sp = await rest(hss.base, 'POST', '/service-profiles', { name: 'sp-ppr' });
    await rest(hss.base, 'PATCH', `/public-identities/${encodeURIComponent(impuOf(A))}`, {
      serviceProfileId: sp.id,
    });
    const xml = await got;
    expect(xml).toContain(impuOf(A));
  });

  it('throws HssUnavailableError (no-peer) before any connection is open', async () => {
    const idle = client(hss.diameterPort);
    await expect(idle.lir({ publicIdentity: impuOf(A) })).rejects.toMatchObject({
      name: 'HssUnavailableError',
      reason: 'no-peer',
    });
    await idle.close();
  });
});

describe('HssClient against an HSS that never answers', () => {
  let silent: DiameterNode;
  let port: number;

  beforeAll(async () => {
    silent = new DiameterNode({
      originHost: `hss.${DOMAIN}`,
      originRealm: DOMAIN,
      hostIpAddresses: ['127.0.0.1'],
      authApplications: [{ vendorId: VENDOR_3GPP, applicationId: CX_APPLICATION_ID }],
    });
    silent.on('error', () => undefined);
    silent.onRequest(() => new Promise(() => undefined));
    ({ port } = await silent.listen(0, '127.0.0.1'));
  });

  afterAll(async () => {
    await silent?.close();
  });

  it('rejects with HssUnavailableError (timeout) when the answer does not come in time', async () => {
    const cx = client(port, 150);
    await cx.waitUntilConnected();
    const err = await cx.lir({ publicIdentity: impuOf(A) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HssUnavailableError);
    expect((err as HssUnavailableError).reason).toBe('timeout');
    await cx.close();
  });

  it('reports the connection going down, then fails fast with no-peer', async () => {
    const cx = client(port);
    await cx.waitUntilConnected();
    const down = once(cx, 'down');
    for (const peer of silent.peers()) await peer.close();
    await down;
    await expect(cx.lir({ publicIdentity: impuOf(A) })).rejects.toMatchObject({
      reason: 'no-peer',
    });
    await cx.close();
  });
});

describe('HssClient answering requests from the HSS', () => {
  let hss: DiameterNode;
  let port: number;
  let cx: HssClient;

  beforeAll(async () => {
    hss = new DiameterNode({
      originHost: `hss.${DOMAIN}`,
      originRealm: DOMAIN,
      hostIpAddresses: ['127.0.0.1'],
      authApplications: [{ vendorId: VENDOR_3GPP, applicationId: CX_APPLICATION_ID }],
    });
    hss.on('error', () => undefined);
    ({ port } = await hss.listen(0, '127.0.0.1'));
    cx = client(port);
    cx.on('warning', () => undefined);
    await cx.waitUntilConnected();
  });

  afterAll(async () => {
    await cx?.close();
    await hss?.close();
  });

  const rtr = () =>
    buildRtr({
      originHost: `hss.${DOMAIN}`,
      originRealm: DOMAIN,
      destinationHost: SCSCF_HOST,
      destinationRealm: DOMAIN,
      userName: impiOf(A),
      publicIdentities: [impuOf(A)],
      deregistrationReason: { reasonCode: 1, reasonInfo: 'test' },
    });

  it('answers RTR with DIAMETER_UNABLE_TO_COMPLY (5012) while no handler is registered', async () => {
    const rta = parseRta(await hss.sendRequest(rtr(), { peerHost: SCSCF_HOST }));
    expect(rta).toMatchObject({ resultCode: 5012, experimental: false, originHost: SCSCF_HOST });
  });

  it('passes the parsed RTR to the handler and answers what it returns', async () => {
    let seen: { reasonCode: number; impus?: string[] } | undefined;
    cx.onRtr((r) => {
      seen = { reasonCode: r.deregistrationReason.reasonCode, impus: r.publicIdentities };
      return { resultCode: 2001 };
    });
    const rta = parseRta(await hss.sendRequest(rtr(), { peerHost: SCSCF_HOST }));
    expect(rta.resultCode).toBe(2001);
    expect(seen).toEqual({ reasonCode: 1, impus: [impuOf(A)] });
  });

  it('answers 5012 when the handler throws, and DIAMETER_MISSING_AVP for an RTR without its reason', async () => {
    cx.onRtr(() => {
      throw new Error('boom');
    });
    expect(parseRta(await hss.sendRequest(rtr(), { peerHost: SCSCF_HOST })).resultCode).toBe(5012);
    const broken = rtr();
    broken.avps = broken.avps.filter((a) => a.name !== 'Deregistration-Reason');
    expect(parseRta(await hss.sendRequest(broken, { peerHost: SCSCF_HOST })).resultCode).toBe(5005);
  });
});
