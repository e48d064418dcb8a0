/**
 * Checking the `response` of a REGISTER against what the HSS gave (TS 33.203 §6.1.2, TS
 * 24.229 §5.4.1.2.2): Digest AKA with XRES as the password (RFC 3310 §3.3, AKAv2 RFC 4169
 * §3), SIP Digest with the stored H(A1) (RFC 2617 §3.2.2.1).
 */
import { computeAkaDigestResponse } from '@lib/ims';
import {
  computeDigestResponse,
  DigestCredentials,
  DigestQop,
  digestResponsesEqual,
} from '@lib/sip';
import { IssuedChallenge } from './nonce-store';

/** The response the UE must have sent for `creds` answering `entry`. */
export function expectedResponse(
  entry: IssuedChallenge,
  creds: DigestCredentials,
  method: string,
): string {
  const common = {
    username: creds.username,
    realm: creds.realm,
    method,
    uri: creds.uri,
    nonce: creds.nonce,
    qop: creds.qop as DigestQop | undefined,
    nc: creds.qop ? creds.nc : undefined,
    cnonce: creds.qop ? creds.cnonce : undefined,
  };
  if (entry.family === 'aka') {
    return computeAkaDigestResponse({
      ...common,
      algorithm: entry.algorithm,
      res: entry.xres!,
      ik: entry.ik,
      ck: entry.ck,
    });
  }
  return computeDigestResponse({ ...common, algorithm: entry.algorithm, ha1: entry.ha1! });
}

/** True when the credentials' response is right; a response that cannot be computed is wrong. */
export function verifyResponse(
  entry: IssuedChallenge,
  creds: DigestCredentials,
  method: string,
): boolean {
  try {
    return digestResponsesEqual(expectedResponse(entry, creds, method), creds.response);
  } catch {
    return false;
  }
}
