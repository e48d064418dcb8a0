/**
 * UAR/UAA (TS 29.228 §6.1.1) and LIR/LIA (§6.1.4) against a real HSS over TCP, plus the
 * base-protocol guards of the Cx server: unknown peer (CEA 3010) and a missing mandatory AVP
 * (5005 with Failed-AVP).
 */
import {
  avp,
  buildRtr,
  CX_APPLICATION_ID,
  createRequest,
  DiameterNode,
  ServerAssignmentType as T,
  UserAuthorizationType,
  VENDOR_3GPP,
} from '@lib/diameter';
import {
  barImpu,
  CxClient,
  DOMAIN,
  ICSCF_HOST,
  impiOf,
  impuOf,
  provision,
  provisionUnregisteredServices,
  rest,
  SCSCF_NAME,
  startHss,
  tempDb,
} from './cx-support';

// Starting an HSS process (TypeScript compiled on the fly) takes a few seconds.
jest.setTimeout(30_000);

const A = '001010000000301';
const B = '001010000000302';
const BARRED = '001010000000303';
const UNREG = '001010000000304';
const CAPS_SCSCF = 'sip:scscf-caps.ims.mnc001.mcc001.3gppnetwork.org:6060';

describe('Cx UAR (TS 29.228 §6.1.1) and LIR (§6.1.4)', () => {
  const db = tempDb();
  let hss: Awaited<ReturnType<typeof startHss>>;
  let icscf: CxClient;
  let scscf: CxClient;

  beforeAll(async () => {
    hss = await startHss(db.dbPath, { allowedVisitedNetworks: ['visited.example.net'] });
    await provision(hss.base, A, '15550301');
    await provision(hss.base, B, '15550302');
    await provision(hss.base, BARRED, '15550303');
    await barImpu(hss.base, impuOf(BARRED));
    await provisionUnregisteredServices(hss.base, UNREG, '15550304');
    await rest(hss.base, 'POST', '/scscf-capabilities', {
      serverName: CAPS_SCSCF,
      mandatory: [1],
      optional: [2, 3],
    });
    icscf = new CxClient(ICSCF_HOST);
    await icscf.connect(hss.diameterPort);
    scscf = new CxClient();
    await scscf.connect(hss.diameterPort);
  });

  afterAll(async () => {
    await icscf?.close();
    await scscf?.close();
    await hss?.close();
    db.cleanup();
  });

  describe('UAR', () => {
    it('2001 DIAMETER_FIRST_REGISTRATION with Server-Capabilities from the capability rows', async () => {
      const uaa = await icscf.uar(impiOf(A), impuOf(A));
      expect(uaa).toMatchObject({ experimental: true, resultCode: 2001 });
      expect(uaa.serverName).toBeUndefined();
      expect(uaa.serverCapabilities).toEqual({
        mandatory: [1],
        optional: [2, 3],
        serverNames: [CAPS_SCSCF],
      });
    });

    it('2002 DIAMETER_SUBSEQUENT_REGISTRATION with the Server-Name once an S-CSCF is assigned', async () => {
      await scscf.sar(T.REGISTRATION, [impuOf(A)], { userName: impiOf(A) });
      const uaa = await icscf.uar(impiOf(A), impuOf(A));
      expect(uaa).toMatchObject({ experimental: true, resultCode: 2002, serverName: SCSCF_NAME });
      // REGISTRATION_AND_CAPABILITIES asks for reselection: capabilities, whatever the state.
      const caps = await icscf.uar(impiOf(A), impuOf(A), {
        userAuthorizationType: UserAuthorizationType.REGISTRATION_AND_CAPABILITIES,
      });
      expect(caps).toMatchObject({ experimental: true, resultCode: 2001 });
      expect(caps.serverCapabilities?.serverNames).toEqual([CAPS_SCSCF]);
      // DE_REGISTRATION of a registered identity: Result-Code DIAMETER_SUCCESS + Server-Name.
      const dereg = await icscf.uar(impiOf(A), impuOf(A), {
        userAuthorizationType: UserAuthorizationType.DE_REGISTRATION,
      });
      expect(dereg).toMatchObject({
        experimental: false,
        resultCode: 2001,
        serverName: SCSCF_NAME,
      });
    });

    it('matches an IMPU written differently but equal as an address-of-record (visual separators, user=phone)', async () => {
      const uaa = await icscf.uar(impiOf(A), `sip:+1-555-0301@${DOMAIN.toUpperCase()};user=phone`);
      expect(uaa).toMatchObject({ experimental: true, resultCode: 2002, serverName: SCSCF_NAME });
      expect(await icscf.lir('tel:+1-555-0301')).toMatchObject({
        experimental: false,
        resultCode: 2001,
      });
    });

    it('5001 DIAMETER_ERROR_USER_UNKNOWN for an unknown IMPI or IMPU', async () => {
      expect(await icscf.uar(impiOf('001019999999998'), impuOf(A))).toMatchObject({
        experimental: true,
        resultCode: 5001,
      });
      expect(await icscf.uar(impiOf(A), `sip:nobody@${DOMAIN}`)).toMatchObject({
        experimental: true,
        resultCode: 5001,
      });
    });

    it('5002 DIAMETER_ERROR_IDENTITIES_DONT_MATCH for an IMPU of another subscriber', async () => {
      expect(await icscf.uar(impiOf(A), impuOf(B))).toMatchObject({
        experimental: true,
        resultCode: 5002,
      });
    });

    it('5003 DIAMETER_AUTHORIZATION_REJECTED (Result-Code) for a barred IMPU', async () => {
      const uaa = await icscf.uar(impiOf(BARRED), impuOf(BARRED));
      expect(uaa).toMatchObject({ experimental: false, resultCode: 5003 });
      // Another, non-barred IMPU of the same user still registers.
      expect(await icscf.uar(impiOf(BARRED), 'tel:+15550303')).toMatchObject({
        experimental: true,
        resultCode: 2001,
      });
    });

    it('5004 DIAMETER_ERROR_ROAMING_NOT_ALLOWED outside HSS_ALLOWED_VISITED_NETWORKS; home and listed pass', async () => {
      const foreign = await icscf.uar(impiOf(B), impuOf(B), {
        visitedNetworkIdentifier: 'roam.example.org',
      });
      expect(foreign).toMatchObject({ experimental: true, resultCode: 5004 });
      expect(
        await icscf.uar(impiOf(B), impuOf(B), { visitedNetworkIdentifier: 'visited.example.net' }),
      ).toMatchObject({
        experimental: true,
        resultCode: 2001,
      });
      expect(
        await icscf.uar(impiOf(B), impuOf(B), { visitedNetworkIdentifier: DOMAIN }),
      ).toMatchObject({
        experimental: true,
        resultCode: 2001,
      });
    });

    it('DE_REGISTRATION of an identity that is not registered: 5003 DIAMETER_ERROR_IDENTITY_NOT_REGISTERED', async () => {
      const uaa = await icscf.uar(impiOf(B), impuOf(B), {
        userAuthorizationType: UserAuthorizationType.DE_REGISTRATION,
      });
      expect(uaa).toMatchObject({ experimental: true, resultCode: 5003 });
    });
  });

  describe('LIR', () => {
    it('2001 (Result-Code) with the Server-Name for a registered identity', async () => {
      const lia = await icscf.lir(impuOf(A));
      expect(lia).toMatchObject({ experimental: false, resultCode: 2001, serverName: SCSCF_NAME });
    });

    it('2003 DIAMETER_UNREGISTERED_SERVICE with capabilities for a not registered identity with unregistered services', async () => {
      const lia = await icscf.lir(impuOf(UNREG));
      expect(lia).toMatchObject({ experimental: true, resultCode: 2003 });
      expect(lia.serverName).toBeUndefined();
      expect(lia.serverCapabilities?.serverNames).toEqual([CAPS_SCSCF]);
    });

    it('2003 with the Server-Name once an S-CSCF serves it unregistered', async () => {
      await scscf.sar(T.UNREGISTERED_USER, [impuOf(UNREG)]);
      expect(await icscf.lir(impuOf(UNREG))).toMatchObject({
        experimental: true,
        resultCode: 2003,
        serverName: SCSCF_NAME,
      });
    });

    it('5003 DIAMETER_ERROR_IDENTITY_NOT_REGISTERED without unregistered services, 5001 for unknown', async () => {
      expect(await icscf.lir(impuOf(B))).toMatchObject({ experimental: true, resultCode: 5003 });
      expect(await icscf.lir(`sip:nobody@${DOMAIN}`)).toMatchObject({
        experimental: true,
        resultCode: 5001,
      });
    });
  });

  describe('base protocol guards', () => {
    it('answers 5005 DIAMETER_MISSING_AVP with Failed-AVP naming Public-Identity', async () => {
      const req = createRequest('User-Authorization-Request', 'Cx', [
        avp('Session-Id', `${ICSCF_HOST};1;missing`),
        avp('Vendor-Specific-Application-Id', {
          'Vendor-Id': VENDOR_3GPP,
          'Auth-Application-Id': CX_APPLICATION_ID,
        }),
        avp('Auth-Session-State', 1),
        avp('Origin-Host', ICSCF_HOST),
        avp('Origin-Realm', DOMAIN),
        avp('Destination-Realm', DOMAIN),
        avp('User-Name', impiOf(A)),
        avp('Visited-Network-Identifier', Buffer.from(DOMAIN)),
      ]);
      const answer = await icscf.node.sendRequest(req);
      expect(answer.resultCode()).toBe(5005);
      const failed = answer.find('Failed-AVP');
      expect(failed?.children[0]?.name).toBe('Public-Identity');
    });

    it('answers 3001 DIAMETER_COMMAND_UNSUPPORTED (E bit) to an RTR sent to the HSS', async () => {
      const rtr = buildRtr({
        originHost: ICSCF_HOST,
        originRealm: DOMAIN,
        destinationRealm: DOMAIN,
        userName: impiOf(A),
        deregistrationReason: { reasonCode: 0 },
      });
      const answer = await icscf.node.sendRequest(rtr);
      expect(answer.resultCode()).toBe(3001);
      expect(answer.flags.error).toBe(true);
    });

    it('refuses a peer not in HSS_DIAMETER_ALLOWED_PEERS with CEA 3010 DIAMETER_UNKNOWN_PEER', async () => {
      const guarded = tempDb();
      const strict = await startHss(guarded.dbPath, { diameterAllowedPeers: [ICSCF_HOST] });
      const stranger = new DiameterNode({
        originHost: 'stranger.example.org',
        originRealm: 'example.org',
        authApplications: [{ vendorId: VENDOR_3GPP, applicationId: CX_APPLICATION_ID }],
        reconnect: { initialMs: 60000, maxMs: 60000 },
      });
      stranger.on('error', () => undefined);
      try {
        const peer = stranger.connect({ host: '127.0.0.1', port: strict.diameterPort });
        // The CEA refuses the capabilities exchange: Wait-I-CEA -> Closed (RFC 6733 §5.6).
        const reason = await new Promise<string>((resolve) =>
          peer.on('state', (_from: string, to: string, why: string) => {
            if (to === 'Closed') resolve(why);
          }),
        );
        expect(reason).toMatch(/3010/);
        const allowed = new CxClient(ICSCF_HOST);
        await allowed.connect(strict.diameterPort);
        expect((await allowed.lir(impuOf(A))).resultCode).toBe(5001);
        await allowed.close();
      } finally {
        await stranger.close();
        await strict.close();
        guarded.cleanup();
      }
    });
  });
});
