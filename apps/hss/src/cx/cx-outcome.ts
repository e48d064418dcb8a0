/**
 * The outcome of one Cx request as the handlers decide it: a Result-Code (RFC 6733 §7.1) or
 * an Experimental-Result-Code of vendor 3GPP (TS 29.229 §6.2), and a line for the trace.
 *
 * TS 29.229 §6.2: "The Experimental-Result AVP ... shall be used for Cx/Dx errors"; when it is
 * present, Result-Code is absent.
 */
export interface CxOutcome {
  resultCode: number;
  experimental: boolean;
  /** One human-readable line for RegistrationAttempt.detail and the logs. */
  detail: string;
}

/** Base Result-Code values the handlers use (RFC 6733 §7.1). */
export const DIAMETER_SUCCESS = 2001;
export const DIAMETER_AUTHORIZATION_REJECTED = 5003;
export const DIAMETER_UNABLE_TO_COMPLY = 5012;

export function resultCode(code: number, detail: string): CxOutcome {
  return { resultCode: code, experimental: false, detail };
}

export function experimentalResult(code: number, detail: string): CxOutcome {
  return { resultCode: code, experimental: true, detail };
}

/** Identity references of a request, for the trace. */
export interface CxIdentities {
  impi?: string | null;
  impu?: string | null;
}
