/**
 * What the S-CSCF keeps per registration (the usrloc of Kamailio's ims_usrloc_scscf): one
 * record per implicit registration set (TS 23.228 §5.2.1a, TS 24.229 §5.4.1.2.2), holding the
 * user profile downloaded by SAR and the contact bindings (RFC 3261 §10.3).
 */
import type { ImsSubscription, ServiceProfile } from '@lib/ims';
import { ownString, type SipRequest, type SipResponse } from '@lib/sip';

/**
 * RFC 3680 §5.1 contact `event` attribute: why a contact is in its state ("registered",
 * "created", "refreshed", "shortened", "expired", "deactivated", "probation", "unregistered",
 * "rejected").
 */
export type ContactEvent =
  | 'registered'
  | 'created'
  | 'refreshed'
  | 'shortened'
  | 'expired'
  | 'deactivated'
  | 'probation'
  | 'unregistered'
  | 'rejected';

/** One Contact bound to the implicit set (RFC 3261 §10.3, RFC 3327 Path, RFC 5626 instance). */
export interface Binding {
  /** Stable id for the reginfo `<contact id>` (RFC 3680 §5.2). */
  id: string;
  /** The Contact URI. */
  uri: string;
  /**
   * Contact header parameters other than `expires` (kept to echo them in the 200 OK).
   * Read-only: bindings without parameters share one empty map (see `contactParams`).
   */
  params: ReadonlyMap<string, string | null>;
  displayName?: string;
  /** Absolute expiry, ms since the epoch. */
  expiresAt: number;
  /** RFC 3261 §10.3 step 7: the Call-ID and CSeq of the REGISTER that last updated it. */
  callId: string;
  cseq: number;
  /** Path header values of that REGISTER (RFC 3327 §5.3), in order. */
  path: string[];
  /** RFC 5626 `+sip.instance` and `reg-id`. */
  instanceId?: string;
  regId?: string;
  registeredAt: number;
}

/** The one empty parameter map all bindings without Contact parameters share. */
const NO_PARAMS: ReadonlyMap<string, string | null> = new Map();

/**
 * The parameters a binding keeps of a Contact (all but `expires`), in strings of their own
 * (see ownString): a Map per binding only when there is something to keep.
 */
export function contactParams(
  params: ReadonlyMap<string, string | null>,
): ReadonlyMap<string, string | null> {
  let kept: Map<string, string | null> | undefined;
  for (const [name, value] of params) {
    if (name === 'expires') continue;
    (kept ??= new Map()).set(ownString(name), value === null ? null : ownString(value));
  }
  return kept ?? NO_PARAMS;
}

/**
 * A binding as stored: the optional fields (display name, RFC 5626 instance and reg-id) are
 * left out when absent rather than held as `undefined`, which saves three fields (24 bytes)
 * per binding of the usual UE that sends none of them.
 */
export function storedBinding(b: Binding): Binding {
  const { id, uri, params, displayName, expiresAt, callId, cseq, path, instanceId, regId } = b;
  const { registeredAt } = b;
  if (displayName === undefined && instanceId === undefined && regId === undefined) {
    return { id, uri, params, expiresAt, callId, cseq, path, registeredAt };
  }
  return {
    id,
    uri,
    params,
    displayName,
    expiresAt,
    callId,
    cseq,
    path,
    instanceId,
    regId,
    registeredAt,
  };
}

/** A binding that left, with the reason reported in the reg event. */
export interface RemovedBinding {
  binding: Binding;
  event: ContactEvent;
}

/** The registration of one implicit set. */
export interface RegistrationRecord {
  /** The private identity that registered (User-Name of SAR). */
  impi: string;
  /** The IMPU in the To header of the REGISTER that created the registration. */
  registeredImpu: string;
  /**
   * The implicit registration set: the non-barred public identities, the default public
   * user identity first (TS 24.229 §5.4.1.2.2 f: "the first URI in the list of public user
   * identities supplied by the HSS ... will indicate the default public user identity").
   */
  implicitSet: string[];
  /** Barred identities of the set (never in P-Associated-URI). */
  barred: string[];
  /** The user profile from SAA (or PPR). */
  subscription: ImsSubscription;
  /** The service profile that holds the registered IMPU (its iFCs apply). */
  serviceProfile: ServiceProfile;
  bindings: Binding[];
}

/**
 * The REGISTER and its 200 OK that caused a change, carried to third-party registration
 * (TS 24.229 §5.4.1.7: IncludeRegisterRequest / IncludeRegisterResponse).
 */
export interface RegisterExchange {
  request: SipRequest;
  response: SipResponse;
}
