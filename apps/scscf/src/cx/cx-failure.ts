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
  return a.resultCode === ResultCode.AUTHORIZATION_REJECTED
    ? FailureCause.ImpuBarred
    : FailureCause.HssError;
}

/** "Cx 5001 (Experimental-Result)" for Warning details. */
export function cxResultText(a: { resultCode: number; experimental: boolean }): string {
  return `Cx ${a.resultCode}${a.experimental ? ' (Experimental-Result)' : ''}`;
}
