import {
  CxExperimentalResult,
  ResultCode,
  type LocationInfoAnswer,
  type ServerCapabilities,
} from '@lib/diameter';
import { FailureCause } from '@lib/ims';

/** What the I-CSCF does with a LIA for a terminating request (TS 24.229 §5.3.2). */
export type LiaOutcome =
  | { kind: 'assigned'; serverName: string }
  | { kind: 'select'; capabilities?: ServerCapabilities }
  | { kind: 'reject'; cause: FailureCause; status: number; detail: string };

/**
 * Maps a Location-Info-Answer (TS 29.228 §6.1.4) to the next step, TS 24.229 §5.3.2.1:
 * DIAMETER_SUCCESS with Server-Name (registered) and DIAMETER_UNREGISTERED_SERVICE with
 * Server-Name or Server-Capabilities (services for the unregistered state) route to an
 * S-CSCF; DIAMETER_ERROR_USER_UNKNOWN -> 404 (Not Found); DIAMETER_ERROR_IDENTITY_NOT_REGISTERED
 * -> 480 (Temporarily Unavailable); a transient Diameter failure -> 480 as well.
 */
export function liaOutcome(lia: LocationInfoAnswer): LiaOutcome {
  const code = lia.resultCode;
  const name = `${lia.experimental ? 'Experimental-Result-Code' : 'Result-Code'} ${code}`;
  const route = (): LiaOutcome =>
    lia.serverName
      ? { kind: 'assigned', serverName: lia.serverName }
      : { kind: 'select', capabilities: lia.serverCapabilities };
  if (lia.experimental) {
    switch (code) {
      case CxExperimentalResult.UNREGISTERED_SERVICE:
        return route();
      case CxExperimentalResult.ERROR_USER_UNKNOWN:
        return reject(FailureCause.UnknownUser, 404, name);
      case CxExperimentalResult.ERROR_IDENTITY_NOT_REGISTERED:
        return reject(FailureCause.NotRegistered, 480, name);
      default:
        return reject(FailureCause.HssError, 480, name);
    }
  }
  if (code === ResultCode.SUCCESS) return route();
  if (code >= 3000 && code < 5000) return reject(FailureCause.HssUnreachable, 480, name);
  return reject(FailureCause.HssError, 480, name);
}

function reject(cause: FailureCause, status: number, detail: string): LiaOutcome {
  return { kind: 'reject', cause, status, detail };
}
