import { computeDigestResponse, computeRspauth, DigestResponseInput } from '@lib/sip';
import { akaPassword } from './aka-password';
import { BytesLike } from './bytes';

/** Digest inputs with the AKA results in place of a password. */
export type AkaDigestInput = Omit<DigestResponseInput, 'password' | 'ha1' | 'algorithm'> & {
  /** `AKAv1-MD5` or `AKAv2-MD5` (any `AKAv<1|2>-<hash>`). */
  algorithm: string;
  /** RES on the UE, XRES on the S-CSCF. */
  res: BytesLike;
  /** IK and CK, needed for AKAv2 (RFC 4169 §3). */
  ik?: BytesLike;
  ck?: BytesLike;
};

/**
 * The `response` of Digest AKA: ordinary RFC 2617 Digest whose password is derived from RES
 * (RFC 3310 §3.3 for AKAv1, RFC 4169 §3 for AKAv2), see {@link akaPassword}.
 */
export function computeAkaDigestResponse(input: AkaDigestInput): string {
  const { res, ik, ck, ...digest } = input;
  return computeDigestResponse({
    ...digest,
    password: akaPassword(input.algorithm, res, ik, ck),
  });
}

/** The Authentication-Info `rspauth` of Digest AKA, computed with XRES (RFC 3310 §3.3). */
export function computeAkaRspauth(input: AkaDigestInput): string {
  const { res, ik, ck, ...digest } = input;
  return computeRspauth({ ...digest, password: akaPassword(input.algorithm, res, ik, ck) });
}

/**
 * The `response` accompanying an `auts` directive: "the response ... is calculated using
 * an empty password (password of "")" (RFC 3310 §3.4).
 */
export function computeAkaResyncResponse(
  input: Omit<DigestResponseInput, 'password' | 'ha1'>,
): string {
  return computeDigestResponse({ ...input, password: '' });
}
