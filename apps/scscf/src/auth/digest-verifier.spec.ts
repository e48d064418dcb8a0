import * as fs from 'node:fs';
import * as path from 'node:path';
import { DigestCredentials } from '@lib/sip';
import { expectedResponse, verifyResponse } from './digest-verifier';
import { IssuedChallenge } from './nonce-store';

/** The published Digest-AKA vectors (test/vectors/aka-digest-vectors.json, TS 35.208 Set 1). */
const vectors = JSON.parse(
  fs.readFileSync(
    path.resolve(__dirname, '../../../../test/vectors/aka-digest-vectors.json'),
    'utf8',
  ),
);

function entryFor(
  algorithm: string,
  family: 'aka' | 'digest',
  extra: Partial<IssuedChallenge>,
): IssuedChallenge {
  return {
    nonce: vectors.vector.nonce_base64,
    impi: vectors.akav1_md5_qop_auth.user,
    impu: 'sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org',
    cxScheme: family === 'aka' ? `Digest-${algorithm}` : 'SIP Digest',
    algorithm,
    family,
    realm: vectors.akav1_md5_qop_auth.realm,
    qop: 'auth',
    issuedAt: 0,
    lastNc: 0,
    ...extra,
  };
}

function credentialsOf(v: Record<string, string>, response: string): DigestCredentials {
  return {
    username: v.user,
    realm: v.realm,
    nonce: v.nonce,
    uri: v.uri,
    response,
    algorithm: v.algorithm,
    qop: v.qop,
    nc: v.nc,
    cnonce: v.cnonce,
  };
}

describe('REGISTER response check (TS 33.203 §6.1.2)', () => {
  it('AKAv1-MD5 (RFC 3310 §3.3): XRES as the password gives the published response', () => {
    const v = vectors.akav1_md5_qop_auth;
    const entry = entryFor('AKAv1-MD5', 'aka', { xres: Buffer.from(vectors.vector.XRES, 'hex') });
    expect(expectedResponse(entry, credentialsOf(v, ''), 'REGISTER')).toBe(v.response);
    expect(verifyResponse(entry, credentialsOf(v, v.response), 'REGISTER')).toBe(true);
    expect(verifyResponse(entry, credentialsOf(v, v.response.toUpperCase()), 'REGISTER')).toBe(
      true,
    );
    const flipped = v.response.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
    expect(verifyResponse(entry, credentialsOf(v, flipped), 'REGISTER')).toBe(false);
  });

  it('AKAv2-MD5 (RFC 4169 §3): the password derived from XRES, IK and CK', () => {
    const v = vectors.akav2_md5_qop_auth;
    const entry = entryFor('AKAv2-MD5', 'aka', {
      xres: Buffer.from(vectors.vector.XRES, 'hex'),
      ik: Buffer.from(vectors.vector.IK, 'hex'),
      ck: Buffer.from(vectors.vector.CK, 'hex'),
    });
    expect(verifyResponse(entry, credentialsOf(v, v.response), 'REGISTER')).toBe(true);
    // Without IK/CK the AKAv2 password cannot be derived: refused, not thrown.
    const noKeys = entryFor('AKAv2-MD5', 'aka', { xres: Buffer.from(vectors.vector.XRES, 'hex') });
    expect(verifyResponse(noKeys, credentialsOf(v, v.response), 'REGISTER')).toBe(false);
  });

  it('SIP Digest (RFC 2617 §3.2.2.1) with the stored H(A1)', () => {
    const v = vectors.akav1_md5_qop_auth;
    // The AKAv1 HA1 of the vector is an MD5 H(A1) like any other: reuse it for plain MD5.
    const entry = entryFor('MD5', 'digest', { ha1: v.HA1 });
    const creds = { ...credentialsOf(v, v.response), algorithm: 'MD5' };
    expect(verifyResponse(entry, creds, 'REGISTER')).toBe(true);
    expect(verifyResponse(entry, creds, 'INVITE')).toBe(false);
  });
});
