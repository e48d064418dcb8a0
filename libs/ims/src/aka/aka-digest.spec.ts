import { computeHa1, computeHa2, parseChallenge, parseCredentials } from '@lib/sip';
import { akaPassword, akav2SessionKeys, parseAkaAlgorithm } from './aka-password';
import { decodeAkaNonce, encodeAkaNonce } from './aka-nonce';
import {
  computeAkaDigestResponse,
  computeAkaResyncResponse,
  computeAkaRspauth,
} from './aka-digest';
import { AkaError } from './aka-error';
import { ueProcessChallenge } from './ue-challenge';
import v from '../../../../test/vectors/aka-digest-vectors.json';

const hex = (b: Buffer) => b.toString('hex');
const s = v.subscriber;

describe('Digest AKA nonce (RFC 3310 §3.2)', () => {
  it('nonce = base64(RAND ‖ AUTN)', () => {
    expect(encodeAkaNonce(s.RAND, v.vector.AUTN)).toBe(v.vector.nonce_base64);
    const n = decodeAkaNonce(v.vector.nonce_base64);
    expect(hex(n.rand)).toBe(s.RAND);
    expect(hex(n.autn)).toBe(v.vector.AUTN);
    expect(n.serverData).toHaveLength(0);
  });
  it('tolerates missing padding and keeps server-specific data', () => {
    const withData = encodeAkaNonce(s.RAND, v.vector.AUTN, 'cafe');
    const n = decodeAkaNonce(withData.replace(/=+$/, ''));
    expect(hex(n.serverData)).toBe('cafe');
    expect(hex(decodeAkaNonce(v.vector.nonce_base64.replace(/=+$/, '')).autn)).toBe(v.vector.AUTN);
  });
  it.each([
    ['', /need 32/],
    ['AAAA', /need 32/],
    ['not base64!', /not base64/],
    ['A', /length/],
  ])('rejects %j with a typed error', (nonce, message) => {
    expect(() => decodeAkaNonce(nonce)).toThrow(AkaError);
    expect(() => decodeAkaNonce(nonce)).toThrow(message);
  });
});

describe('SIPp gtest AKAv1MD5HexKeys (src/auth.cpp)', () => {
  const t = v.sipp_gtest_AKAv1MD5HexKeys;
  it('the UE side, from K and OP, answers 1efe54bb…', () => {
    const challenge = parseChallenge(
      `Digest realm="${t.realm}", nonce="${t.nonce}", algorithm=AKAv1-MD5`,
    );
    const { rand, autn } = decodeAkaNonce(challenge.nonce);
    const ue = ueProcessChallenge({ k: s.K, op: s.OP, rand, autn });
    expect(ue.kind).toBe('ok');
    if (ue.kind !== 'ok') return;
    const response = computeAkaDigestResponse({
      algorithm: challenge.algorithm!,
      username: t.username,
      realm: challenge.realm,
      nonce: challenge.nonce,
      method: t.method,
      uri: t.digest_uri,
      res: ue.res,
    });
    expect(response).toBe(t.expected_response);
  });
});

describe('AKAv1-MD5 with qop=auth (aka-digest-vectors.json)', () => {
  const t = v.akav1_md5_qop_auth;
  const input = {
    algorithm: t.algorithm,
    username: t.user,
    realm: t.realm,
    nonce: t.nonce,
    method: t.method,
    uri: t.uri,
    qop: 'auth' as const,
    nc: t.nc,
    cnonce: t.cnonce,
    res: t.password_hex,
  };
  it('HA1 over the binary RES, HA2, response 402ab8df…', () => {
    const password = akaPassword(t.algorithm, t.password_hex);
    expect(hex(password)).toBe(t.password_hex);
    expect(computeHa1({ ...input, password })).toBe(t.HA1);
    expect(computeHa2(input)).toBe(t.HA2);
    expect(computeAkaDigestResponse(input)).toBe(t.response);
  });
  it('rspauth with XRES, A2 = ":" uri', () => {
    expect(computeAkaRspauth(input)).toBe(t.rspauth_with_XRES);
  });
  it('verifies a parsed Authorization as the S-CSCF would (with XRES)', () => {
    const c = parseCredentials(
      `Digest username="${t.user}", realm="${t.realm}", nonce="${t.nonce}", uri="${t.uri}", response="${t.response}", algorithm=AKAv1-MD5, qop=auth, nc=${t.nc}, cnonce="${t.cnonce}"`,
    );
    const expected = computeAkaDigestResponse({
      algorithm: c.algorithm!,
      username: c.username,
      realm: c.realm,
      nonce: c.nonce,
      method: 'REGISTER',
      uri: c.uri,
      qop: c.qop as 'auth',
      nc: c.nc,
      cnonce: c.cnonce,
      res: v.vector.XRES,
    });
    expect(expected).toBe(c.response);
    // a wrong RES does not verify
    expect(computeAkaDigestResponse({ ...input, res: 'a54211d5e3ba50be' })).not.toBe(t.response);
  });
});

describe('AKAv2-MD5 (RFC 4169)', () => {
  const t = v.akav2_md5_qop_auth;
  it('password = base64(HMAC-MD5(RES ‖ IK ‖ CK, "http-digest-akav2-password"))', () => {
    expect(
      akaPassword('AKAv2-MD5', v.vector.XRES, v.vector.IK, v.vector.CK).toString('ascii'),
    ).toBe(t.password_ascii);
  });
  it('HA1 and response', () => {
    const base = {
      algorithm: t.algorithm,
      username: t.user,
      realm: t.realm,
      nonce: t.nonce,
      method: t.method,
      uri: t.uri,
      qop: 'auth' as const,
      nc: t.nc,
      cnonce: t.cnonce,
    };
    expect(computeHa1({ ...base, password: t.password_ascii })).toBe(t.HA1);
    expect(
      computeAkaDigestResponse({ ...base, res: v.vector.XRES, ik: v.vector.IK, ck: v.vector.CK }),
    ).toBe(t.response);
  });
  it("IK' and CK'", () => {
    const keys = akav2SessionKeys('AKAv2-MD5', v.vector.IK, v.vector.CK);
    expect(hex(keys.ikPrime)).toBe(t.IK_prime);
    expect(hex(keys.ckPrime)).toBe(t.CK_prime);
  });
  it('needs IK and CK; AKAv1 has no session keys', () => {
    expect(() => akaPassword('AKAv2-MD5', v.vector.XRES)).toThrow(/IK\/CK/);
    expect(() => akav2SessionKeys('AKAv1-MD5', v.vector.IK, v.vector.CK)).toThrow(AkaError);
  });
});

describe('resynchronisation response (RFC 3310 §3.4: empty password)', () => {
  it('response with empty password da492ad7…', () => {
    const r = v.resync;
    expect(
      computeAkaResyncResponse({
        algorithm: 'AKAv1-MD5',
        username: r.user,
        realm: r.realm,
        nonce: r.nonce,
        method: r.method,
        uri: r.uri,
        qop: 'auth',
        nc: r.nc,
        cnonce: r.cnonce,
      }),
    ).toBe(r.response_with_empty_password);
  });
});

describe('algorithm names (RFC 3310 §3.1)', () => {
  it('parses AKAv<n>-<digest> and rejects others', () => {
    expect(parseAkaAlgorithm('AKAv1-MD5')).toEqual({ version: 1, digest: 'MD5' });
    expect(parseAkaAlgorithm('akav2-sha-256')).toEqual({ version: 2, digest: 'SHA-256' });
    expect(parseAkaAlgorithm('MD5')).toBeNull();
    expect(() => akaPassword('MD5', v.vector.XRES)).toThrow(AkaError);
    expect(() => akaPassword('AKAv3-MD5', v.vector.XRES)).toThrow(/version 3/);
    expect(() => akaPassword('AKAv1-MD5', '00')).toThrow(/RES must be 4..16/);
  });
});
