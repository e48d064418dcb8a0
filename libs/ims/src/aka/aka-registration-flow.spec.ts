import {
  digestResponsesEqual,
  formatChallenge,
  formatCredentials,
  NonceCounter,
  parseChallenge,
  parseCredentials,
} from '@lib/sip';
import {
  computeAkaDigestResponse,
  computeAkaResyncResponse,
  computeAkaRspauth,
  decodeAkaNonce,
  decodeAutsParam,
  encodeAkaNonce,
  encodeAutsParam,
  generateAuthVector,
  nextSqn,
  ueProcessChallenge,
  verifyAuts,
} from './index';
import v from '../../../../test/vectors/aka-digest-vectors.json';

/**
 * The DESIGN.md registration flow at the library level: HSS vector -> S-CSCF 401 challenge
 * -> UE answer -> S-CSCF verification, and the RFC 3310 §3.4 resynchronisation path.
 */
const s = v.subscriber;
const IMPI = `001010000000001@${'ims.mnc001.mcc001.3gppnetwork.org'}`;
const REALM = 'ims.mnc001.mcc001.3gppnetwork.org';
const URI = `sip:${REALM}`;

function challengeFor(sqnHe: Buffer) {
  const av = generateAuthVector({ k: s.K, opc: s.OPc, amf: '8000', sqn: nextSqn(sqnHe) });
  const header = formatChallenge({
    realm: REALM,
    nonce: encodeAkaNonce(av.rand, av.autn),
    algorithm: 'AKAv1-MD5',
    qop: ['auth'],
  });
  return { av, header };
}

describe('IMS AKA registration across libs/sip digest and libs/ims aka', () => {
  it('a UE holding K answers the S-CSCF challenge and the S-CSCF verifies it with XRES', () => {
    const nonces = new NonceCounter();
    const { av, header } = challengeFor(Buffer.from(s.SQN, 'hex'));
    const challenge = parseChallenge(header);
    nonces.issue(challenge.nonce);

    // UE
    const { rand, autn } = decodeAkaNonce(challenge.nonce);
    const ue = ueProcessChallenge({ k: s.K, op: s.OP, rand, autn, sqnMs: s.SQN });
    expect(ue.kind).toBe('ok');
    if (ue.kind !== 'ok') return;
    const answer = {
      username: IMPI,
      realm: challenge.realm,
      nonce: challenge.nonce,
      uri: URI,
      qop: 'auth' as const,
      nc: '00000001',
      cnonce: 'c0ffee',
    };
    const authorization = formatCredentials({
      ...answer,
      algorithm: challenge.algorithm,
      response: computeAkaDigestResponse({
        ...answer,
        algorithm: challenge.algorithm!,
        method: 'REGISTER',
        res: ue.res,
      }),
    });

    // S-CSCF
    const c = parseCredentials(authorization);
    expect(nonces.check(c.nonce, c.nc!)).toBe('ok');
    const expected = computeAkaDigestResponse({
      algorithm: c.algorithm!,
      username: c.username,
      realm: c.realm,
      nonce: c.nonce,
      uri: c.uri,
      qop: 'auth',
      nc: c.nc,
      cnonce: c.cnonce,
      method: 'REGISTER',
      res: av.xres,
    });
    expect(digestResponsesEqual(expected, c.response)).toBe(true);
    expect(nonces.check(c.nonce, c.nc!)).toBe('replay');

    // the rspauth the S-CSCF computes with XRES equals the UE's own computation with RES
    const rspauth = computeAkaRspauth({
      ...answer,
      algorithm: 'AKAv1-MD5',
      method: 'REGISTER',
      res: av.xres,
    });
    expect(
      computeAkaRspauth({ ...answer, algorithm: 'AKAv1-MD5', method: 'REGISTER', res: ue.res }),
    ).toBe(rspauth);
  });

  it('a UE that does not share K is caught by both sides', () => {
    const { av, header } = challengeFor(Buffer.from(s.SQN, 'hex'));
    const { rand, autn } = decodeAkaNonce(parseChallenge(header).nonce);
    const wrongK = '00' + s.K.slice(2);
    expect(ueProcessChallenge({ k: wrongK, opc: s.OPc, rand, autn }).kind).toBe('mac-failure');
    // even a UE that skipped the MAC check would produce a response the S-CSCF rejects
    const base = {
      algorithm: 'AKAv1-MD5',
      username: IMPI,
      realm: REALM,
      nonce: 'n',
      uri: URI,
      method: 'REGISTER',
    };
    const forged = computeAkaDigestResponse({ ...base, res: 'a54211d5e3ba50bf' });
    expect(digestResponsesEqual(computeAkaDigestResponse({ ...base, res: av.xres }), forged)).toBe(
      false,
    );
  });

  it('resynchronises: stale HSS SQN -> auts -> MAR RAND||AUTS -> new vector accepted', () => {
    const sqnHe = Buffer.from(s.SQN, 'hex'); // HSS is behind
    const sqnMsUe = Buffer.from(v.resync.SQN_MS, 'hex');
    const first = challengeFor(sqnHe);
    const { rand, autn } = decodeAkaNonce(parseChallenge(first.header).nonce);
    // nextSqn(ff9bb4d0b607) = ff9bb4d0b627 = the UE's SQN_MS: not fresh
    const ue = ueProcessChallenge({ k: s.K, opc: s.OPc, rand, autn, sqnMs: sqnMsUe });
    expect(ue.kind).toBe('sync-failure');
    if (ue.kind !== 'sync-failure') return;

    const answer = {
      algorithm: 'AKAv1-MD5',
      username: IMPI,
      realm: REALM,
      nonce: encodeAkaNonce(rand, autn),
      uri: URI,
      qop: 'auth' as const,
      nc: '00000001',
      cnonce: 'abc',
    };
    const header = formatCredentials({
      ...answer,
      response: computeAkaResyncResponse({ ...answer, method: 'REGISTER' }),
      auts: encodeAutsParam(ue.auts),
    });

    // S-CSCF -> HSS: SIP-Authorization = RAND || AUTS
    const c = parseCredentials(header);
    expect(c.response).toBe(computeAkaResyncResponse({ ...answer, method: 'REGISTER' }));
    const sipAuthorization = Buffer.concat([
      decodeAkaNonce(c.nonce).rand,
      decodeAutsParam(c.auts!),
    ]);
    const resync = verifyAuts({
      k: s.K,
      opc: s.OPc,
      rand: sipAuthorization.subarray(0, 16),
      auts: sipAuthorization.subarray(16),
    });
    expect(resync).not.toBeNull();
    expect(resync!.sqnMs.equals(sqnMsUe)).toBe(true);

    // HSS sets SQN_HE = SQN_MS and issues a fresh vector, which the UE accepts
    const second = challengeFor(resync!.sqnMs);
    const n2 = decodeAkaNonce(parseChallenge(second.header).nonce);
    const ue2 = ueProcessChallenge({
      k: s.K,
      opc: s.OPc,
      rand: n2.rand,
      autn: n2.autn,
      sqnMs: sqnMsUe,
    });
    expect(ue2.kind).toBe('ok');
    if (ue2.kind === 'ok') expect(ue2.res.equals(second.av.xres)).toBe(true);
  });
});
