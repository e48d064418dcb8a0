import {
  CxExperimentalResult,
  ResultCode,
  type ServerCapabilities,
  type UserAuthorizationAnswer,
} from '@lib/diameter';
import { FailureCause } from '@lib/ims';

/** What the I-CSCF does with a UAA (TS 24.229 §5.3.1.2, TS 29.228 §6.1.1). */
export type UaaOutcome =
  /** Forward to this S-CSCF (2002, or a Server-Name the HSS gave). */
  | { kind: 'assigned'; serverName: string }
  /** Select an S-CSCF by capabilities (2001 without Server-Name). */
  | { kind: 'select'; capabilities?: ServerCapabilities }
  /** Refuse the REGISTER: 403 (or 480 for a transient Diameter failure) naming the cause. */
  | { kind: 'reject'; cause: FailureCause; status: number; detail: string };

/**
 * Maps a User-Authorization-Answer to the I-CSCF's next step. TS 24.229 §5.3.1.2: "Upon
 * receiving a negative response to the user registration status query, the I-CSCF shall
 * send back a 403 (Forbidden) response"; TS 29.228 §6.1.1 names the outcomes:
 * DIAMETER_FIRST_REGISTRATION (capabilities), DIAMETER_SUBSEQUENT_REGISTRATION (Server-Name),
 * DIAMETER_ERROR_USER_UNKNOWN, DIAMETER_ERROR_IDENTITIES_DONT_MATCH,
 * DIAMETER_AUTHORIZATION_REJECTED (barred), DIAMETER_ERROR_ROAMING_NOT_ALLOWED, and for a
 * de-registration DIAMETER_SUCCESS with Server-Name or DIAMETER_ERROR_IDENTITY_NOT_REGISTERED.
 */
export function uaaOutcome(uaa: UserAuthorizationAnswer): UaaOutcome {
  const code = uaa.resultCode;
  const name = `${uaa.experimental ? 'Experimental-Result-Code' : 'Result-Code'} ${code}`;
  if (uaa.experimental) {
    switch (code) {
      case CxExperimentalResult.FIRST_REGISTRATION:
        return uaa.serverName
          ? { kind: 'assigned', serverName: uaa.serverName }
          : { kind: 'select', capabilities: uaa.serverCapabilities };
      case CxExperimentalResult.SUBSEQUENT_REGISTRATION:
        return uaa.serverName
          ? { kind: 'assigned', serverName: uaa.serverName }
          : { kind: 'select', capabilities: uaa.serverCapabilities };
      case CxExperimentalResult.ERROR_USER_UNKNOWN:
        return reject(FailureCause.UnknownUser, 403, name);
      case CxExperimentalResult.ERROR_IDENTITIES_DONT_MATCH:
        return reject(FailureCause.ImpuNotAssociated, 403, name);
      case CxExperimentalResult.ERROR_ROAMING_NOT_ALLOWED:
        return reject(FailureCause.RoamingNotAllowed, 403, name);
      case CxExperimentalResult.ERROR_IDENTITY_NOT_REGISTERED:
        return reject(FailureCause.NotRegistered, 403, name);
      default:
        return reject(FailureCause.HssError, 403, name);
    }
  }
  if (code === ResultCode.SUCCESS) {
    return uaa.serverName
      ? { kind: 'assigned', serverName: uaa.serverName }
      : { kind: 'select', capabilities: uaa.serverCapabilities };
  }
  if (code === ResultCode.AUTHORIZATION_REJECTED) return reject(FailureCause.ImpuBarred, 403, name);
  // RFC 6733 §7.1.3 protocol errors and §7.1.4 transient failures (UNABLE_TO_DELIVER,
  // TOO_BUSY...): the HSS is not usable right now, as if unreachable (480 + Retry-After).
  if (code >= 3000 && code < 5000) return reject(FailureCause.HssUnreachable, 480, name);
  return reject(FailureCause.HssError, 403, name);
}

function reject(cause: FailureCause, status: number, detail: string): UaaOutcome {
  return { kind: 'reject', cause, status, detail };
}
