/**
 * What a Cx answer means for the SIP response (TS 24.229 §5.4.1.2.1 / §5.4.1.2.2: the
 * S-CSCF answers 403 when the HSS refuses, 480/500 when it cannot be asked).
 */
import { CxExperimentalResult, ResultCode } from '@lib/diameter';
import { FailureCause } from '@lib/ims';

/** The failure cause of an unsuccessful MAA/SAA outcome, or undefined on success (2xxx). */
export function cxFailureCause(a: {
  resultCode: number;
  experimental: boolean;
}): FailureCause | undefined {
  if (a.resultCode >= 2000 && a.resultCode < 3000) return undefined;
  if (a.experimental) {
    switch (a.resultCode) {
      case CxExperimentalResult.ERROR_USER_UNKNOWN:
        return FailureCause.UnknownUser;
      case CxExperimentalResult.ERROR_IDENTITIES_DONT_MATCH:
        return FailureCause.ImpuNotAssociated;
      case CxExperimentalResult.ERROR_ROAMING_NOT_ALLOWED:
        return FailureCause.RoamingNotAllowed;
      case CxExperimentalResult.ERROR_AUTH_SCHEME_NOT_SUPPORTED:
        return FailureCause.AuthSchemeNotSupported;
      default:
        return FailureCause.HssError;
    }
  }
  if (a.resultCode === ResultCode.AUTHORIZATION_REJECTED) return FailureCause.ImpuBarred;
  // RFC 6733 §7.1.3 protocol errors and §7.1.4 transient failures (DIAMETER_TOO_BUSY 3004
  // from a shedding HSS, UNABLE_TO_DELIVER...): the HSS cannot be used right now, as if
  // unreachable: 480 with Retry-After (TS 24.229 §5.4.1.2), as the I-CSCF answers for UAA.
  if (a.resultCode >= 3000 && a.resultCode < 5000) return FailureCause.HssUnreachable;
  return FailureCause.HssError;
}

/** "Cx 5001 (Experimental-Result)" for Warning details. */
export function cxResultText(a: { resultCode: number; experimental: boolean }): string {
  return `Cx ${a.resultCode}${a.experimental ? ' (Experimental-Result)' : ''}`;
}
