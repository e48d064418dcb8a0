import { DiameterDecodeError } from '../codec/diameter-error';
import { DiameterMessage, decodeMessage, encodeMessage } from '../codec/diameter-message';
import { CxExperimentalResult, ResultCode } from '../dictionary/result-codes';
import {
  ServerAssignmentType,
  UserAuthorizationType,
  DeregistrationReasonCode,
} from '../dictionary/cx-application';
import { validateRequest } from '../validation/validate-request';
import {
  buildLia,
  buildLir,
  buildMaa,
  buildMar,
  buildPpa,
  buildPpr,
  buildRta,
  buildRtr,
  buildSaa,
  buildSar,
  buildUaa,
  buildUar,
  parseLia,
  parseLir,
  parseMaa,
  parseMar,
  parsePpa,
  parsePpr,
  parseRta,
  parseRtr,
  parseSaa,
  parseSar,
  parseUaa,
  parseUar,
} from '.';

const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';
const IMPI = `001010000000001@${DOMAIN}`;
const IMPU = `sip:001010000000001@${DOMAIN}`;
const SCSCF = `sip:scscf.${DOMAIN}:6060`;
const head = { originHost: `icscf.${DOMAIN}`, originRealm: DOMAIN, destinationRealm: DOMAIN };
const hssHead = { originHost: `hss.${DOMAIN}`, originRealm: DOMAIN };

/** Through the wire and back, as a peer would see it. */
const wire = (m: DiameterMessage) => decodeMessage(encodeMessage(m));

function expectCxRequest(m: DiameterMessage, code: number): void {
  expect(m.commandCode).toBe(code);
  expect(m.applicationId).toBe(16777216);
  expect(m.flags).toMatchObject({ request: true, proxiable: true });
  expect(m.avps[0].name).toBe('Session-Id');
  expect(m.get('Auth-Session-State')).toBe(1);
  const vsai = m.find('Vendor-Specific-Application-Id')!;
  expect([vsai.get('Vendor-Id'), vsai.get('Auth-Application-Id')]).toEqual([10415, 16777216]);
  expect(validateRequest(m)).toBeNull();
}

describe('UAR/UAA (TS 29.229 §6.1.1, §6.1.2)', () => {
  it('round-trips the request', () => {
    const req = wire(
      buildUar({
        ...head,
        userName: IMPI,
        publicIdentity: IMPU,
        visitedNetworkIdentifier: DOMAIN,
        userAuthorizationType: UserAuthorizationType.REGISTRATION_AND_CAPABILITIES,
      }),
    );
    expectCxRequest(req, 300);
    expect(parseUar(req)).toEqual({
      ...head,
      sessionId: req.sessionId(),
      userName: IMPI,
      publicIdentity: IMPU,
      visitedNetworkIdentifier: DOMAIN,
      userAuthorizationType: 2,
    });
    expect(req.sessionId()).toMatch(
      new RegExp(`^icscf\\.${DOMAIN.replace(/\./g, '\\.')};\\d+;\\d+$`),
    );
  });
  it('round-trips an answer with Server-Capabilities in Experimental-Result', () => {
    const req = buildUar({
      ...head,
      userName: IMPI,
      publicIdentity: IMPU,
      visitedNetworkIdentifier: DOMAIN,
    });
    const ans = wire(
      buildUaa(req, {
        ...hssHead,
        resultCode: CxExperimentalResult.FIRST_REGISTRATION,
        experimental: true,
        serverCapabilities: { mandatory: [1, 2], optional: [3], serverNames: [SCSCF] },
      }),
    );
    expect(ans.flags.request).toBe(false);
    expect(ans.hopByHop).toBe(req.hopByHop);
    expect(parseUaa(ans)).toEqual({
      resultCode: 2001,
      experimental: true,
      sessionId: req.sessionId(),
      ...hssHead,
      serverCapabilities: { mandatory: [1, 2], optional: [3], serverNames: [SCSCF] },
    });
    const sub = parseUaa(
      wire(buildUaa(req, { resultCode: 2002, experimental: true, serverName: SCSCF })),
    );
    expect([sub.resultCode, sub.serverName]).toEqual([2002, SCSCF]);
  });
  it('encodes empty capability lists as zero occurrences (*[ Mandatory-Capability ])', () => {
    const req = buildUar({
      ...head,
      userName: IMPI,
      publicIdentity: IMPU,
      visitedNetworkIdentifier: DOMAIN,
    });
    const ans = wire(
      buildUaa(req, {
        ...hssHead,
        resultCode: CxExperimentalResult.FIRST_REGISTRATION,
        experimental: true,
        serverCapabilities: { mandatory: [], optional: [], serverNames: [SCSCF] },
      }),
    );
    const caps = ans.find('Server-Capabilities')!;
    expect(caps.children.map((c) => c.name)).toEqual(['Server-Name']);
    expect(parseUaa(ans).serverCapabilities).toEqual({
      mandatory: [],
      optional: [],
      serverNames: [SCSCF],
    });
  });
  it('a parser given a request without a required AVP throws 5005 with the example AVP', () => {
    const req = buildUar({
      ...head,
      userName: IMPI,
      publicIdentity: IMPU,
      visitedNetworkIdentifier: DOMAIN,
    });
    req.avps = req.avps.filter((a) => a.name !== 'Public-Identity');
    let err: unknown;
    try {
      parseUar(req);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DiameterDecodeError);
    expect((err as DiameterDecodeError).resultCode).toBe(ResultCode.MISSING_AVP);
    expect((err as DiameterDecodeError).failedAvp?.name).toBe('Public-Identity');
  });
});

describe('MAR/MAA (TS 29.229 §6.1.7, §6.1.8)', () => {
  const rand = Buffer.alloc(16, 0x11);
  const auts = Buffer.alloc(14, 0x22);
  it('round-trips a resynchronisation request (SIP-Authorization = RAND || AUTS)', () => {
    const req = wire(
      buildMar({
        ...head,
        destinationHost: `hss.${DOMAIN}`,
        userName: IMPI,
        publicIdentity: IMPU,
        serverName: SCSCF,
        numberAuthItems: 1,
        authDataItem: { scheme: 'Digest-AKAv1-MD5', authorization: Buffer.concat([rand, auts]) },
      }),
    );
    expectCxRequest(req, 303);
    const p = parseMar(req);
    expect(p.authDataItem).toEqual({
      scheme: 'Digest-AKAv1-MD5',
      authorization: Buffer.concat([rand, auts]),
    });
    expect([p.destinationHost, p.numberAuthItems, p.serverName]).toEqual([
      `hss.${DOMAIN}`,
      1,
      SCSCF,
    ]);
  });
  it('round-trips an answer with an AKA vector and a SIP Digest item', () => {
    const req = buildMar({
      ...head,
      userName: IMPI,
      publicIdentity: IMPU,
      serverName: SCSCF,
      numberAuthItems: 1,
      authDataItem: { scheme: 'Unknown' },
    });
    const aka = {
      itemNumber: 1,
      scheme: 'Digest-AKAv1-MD5',
      authenticate: Buffer.alloc(32, 1),
      authorization: Buffer.alloc(8, 2),
      confidentialityKey: Buffer.alloc(16, 3),
      integrityKey: Buffer.alloc(16, 4),
    };
    const digest = {
      scheme: 'SIP Digest',
      digest: { realm: DOMAIN, qop: 'auth', ha1: 'a'.repeat(32) },
    };
    const ans = parseMaa(
      wire(
        buildMaa(req, {
          resultCode: 2001,
          userName: IMPI,
          publicIdentity: IMPU,
          items: [aka, digest],
        }),
      ),
    );
    expect(ans).toMatchObject({
      resultCode: 2001,
      experimental: false,
      userName: IMPI,
      publicIdentity: IMPU,
    });
    expect(ans.numberAuthItems).toBe(2);
    expect(ans.items).toEqual([aka, digest]);
  });
});

describe('SAR/SAA (TS 29.229 §6.1.3, §6.1.4)', () => {
  it('round-trips both', () => {
    const req = wire(
      buildSar({
        ...head,
        userName: IMPI,
        publicIdentities: [IMPU, `tel:+15551230001`],
        serverName: SCSCF,
        serverAssignmentType: ServerAssignmentType.REGISTRATION,
        userDataAlreadyAvailable: 0,
      }),
    );
    expectCxRequest(req, 301);
    expect(parseSar(req)).toMatchObject({
      userName: IMPI,
      publicIdentities: [IMPU, 'tel:+15551230001'],
      serverAssignmentType: 1,
      userDataAlreadyAvailable: 0,
    });
    const xml = '<?xml version="1.0"?><IMSSubscription><PrivateID>é</PrivateID></IMSSubscription>';
    const ans = parseSaa(
      wire(
        buildSaa(req, {
          resultCode: 2001,
          userName: IMPI,
          userData: xml,
          chargingInformation: { primaryEventChargingFunctionName: 'aaa://ecf.example' },
          associatedIdentities: [IMPI, `other@${DOMAIN}`],
        }),
      ),
    );
    expect(ans).toMatchObject({
      resultCode: 2001,
      userData: xml,
      chargingInformation: { primaryEventChargingFunctionName: 'aaa://ecf.example' },
      associatedIdentities: [IMPI, `other@${DOMAIN}`],
    });
  });
});

describe('LIR/LIA (TS 29.229 §6.1.5, §6.1.6)', () => {
  it('round-trips both', () => {
    const req = wire(
      buildLir({ ...head, publicIdentity: 'tel:+15551230001', originatingRequest: true }),
    );
    expectCxRequest(req, 302);
    expect(parseLir(req)).toMatchObject({
      publicIdentity: 'tel:+15551230001',
      originatingRequest: true,
    });
    expect(
      parseLir(wire(buildLir({ ...head, publicIdentity: IMPU }))).originatingRequest,
    ).toBeUndefined();
    const lia = parseLia(wire(buildLia(req, { resultCode: 5003, experimental: true })));
    expect(lia).toMatchObject({
      resultCode: CxExperimentalResult.ERROR_IDENTITY_NOT_REGISTERED,
      experimental: true,
    });
    expect(parseLia(wire(buildLia(req, { resultCode: 2001, serverName: SCSCF }))).serverName).toBe(
      SCSCF,
    );
  });
});

describe('RTR/RTA (TS 29.229 §6.1.9, §6.1.10)', () => {
  it('round-trips both', () => {
    const req = wire(
      buildRtr({
        originHost: `hss.${DOMAIN}`,
        originRealm: DOMAIN,
        destinationHost: `scscf.${DOMAIN}`,
        destinationRealm: DOMAIN,
        userName: IMPI,
        publicIdentities: [IMPU],
        deregistrationReason: {
          reasonCode: DeregistrationReasonCode.PERMANENT_TERMINATION,
          reasonInfo: 'bye',
        },
      }),
    );
    expectCxRequest(req, 304);
    expect(parseRtr(req)).toMatchObject({
      userName: IMPI,
      publicIdentities: [IMPU],
      destinationHost: `scscf.${DOMAIN}`,
      deregistrationReason: { reasonCode: 0, reasonInfo: 'bye' },
    });
    expect(
      parseRta(wire(buildRta(req, { resultCode: 2001, associatedIdentities: [IMPI] }))),
    ).toMatchObject({
      resultCode: 2001,
      associatedIdentities: [IMPI],
    });
  });
});

describe('PPR/PPA (TS 29.229 §6.1.11, §6.1.12)', () => {
  it('round-trips both', () => {
    const req = wire(
      buildPpr({
        originHost: `hss.${DOMAIN}`,
        originRealm: DOMAIN,
        destinationHost: `scscf.${DOMAIN}`,
        destinationRealm: DOMAIN,
        userName: IMPI,
        userData: '<IMSSubscription/>',
      }),
    );
    expectCxRequest(req, 305);
    expect(parsePpr(req)).toMatchObject({ userName: IMPI, userData: '<IMSSubscription/>' });
    expect(parsePpa(wire(buildPpa(req, { resultCode: 5008, experimental: true })))).toMatchObject({
      resultCode: CxExperimentalResult.ERROR_TOO_MUCH_DATA,
      experimental: true,
    });
  });
  it('a parser refuses a message of another command', () => {
    const req = buildPpr({
      ...hssHead,
      destinationHost: 'x',
      destinationRealm: DOMAIN,
      userName: IMPI,
    });
    expect(() => parseMar(req)).toThrow(DiameterDecodeError);
  });
});
