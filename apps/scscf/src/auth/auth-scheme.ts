/**
 * Authentication schemes as named on Cx (SIP-Authentication-Scheme, TS 29.229 §6.3.9) and
 * in SIP Digest (`algorithm`, RFC 3310 §3.1, RFC 4169, RFC 2617 §3.2.1).
 */
import { SipAuthenticationScheme } from '@lib/diameter';

export type SchemeFamily = 'aka' | 'digest';

/**
 * The scheme asked in MAR for a REGISTER whose Authorization names `algorithm`: TS 29.228
 * §6.3 "Unknown" when none, so that the HSS picks the subscriber's scheme (never guess MD5).
 */
export function marScheme(algorithm: string | undefined, fallback = ''): string {
  switch (algorithm?.trim().toUpperCase()) {
    case 'AKAV1-MD5':
      return SipAuthenticationScheme.DIGEST_AKAV1_MD5;
    case 'AKAV2-MD5':
      return SipAuthenticationScheme.DIGEST_AKAV2_MD5;
    case 'MD5':
      return SipAuthenticationScheme.SIP_DIGEST;
    default:
      return fallback || SipAuthenticationScheme.UNKNOWN;
  }
}

/** The Digest `algorithm` and family of a Cx scheme from the MAA; undefined if unknown. */
export function sipAlgorithm(
  cxScheme: string,
): { algorithm: string; family: SchemeFamily } | undefined {
  switch (cxScheme.trim().toLowerCase()) {
    case 'digest-akav1-md5':
      return { algorithm: 'AKAv1-MD5', family: 'aka' };
    case 'digest-akav2-md5':
      return { algorithm: 'AKAv2-MD5', family: 'aka' };
    case 'sip digest':
    case 'digest-md5':
    case 'digest':
      return { algorithm: 'MD5', family: 'digest' };
    default:
      return undefined;
  }
}
