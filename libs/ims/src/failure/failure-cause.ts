/**
 * Why a CSCF refused a request. Each cause has the status code the CSCF answers with and
 * the text that goes into the RFC 3261 §20.43 Warning (`399 <host> "<text>"`) and the
 * RFC 3326 Reason (`SIP;cause=<status>;text="<text>"`), so lab users see WHY.
 */
export enum FailureCause {
  /** TS 29.228 §6.3 / TS 29.229: MAA DIAMETER_ERROR_USER_UNKNOWN for the IMPI. */
  UnknownImpi = 'unknown-impi',
  /** TS 29.228 §6.1.1: UAA DIAMETER_ERROR_USER_UNKNOWN (5001). */
  UnknownUser = 'unknown-user',
  /** TS 29.228 §6.1.1: DIAMETER_ERROR_IDENTITIES_DONT_MATCH (5002). */
  ImpuNotAssociated = 'impu-not-associated',
  /** TS 29.228 §6.1.1: DIAMETER_AUTHORIZATION_REJECTED (5003), the IMPU is barred. */
  ImpuBarred = 'impu-barred',
  /** TS 29.228 §6.1.1: DIAMETER_ERROR_ROAMING_NOT_ALLOWED (5004). */
  RoamingNotAllowed = 'roaming-not-allowed',
  /** TS 29.228 §6.3: DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED (5006). */
  AuthSchemeNotSupported = 'auth-scheme-not-supported',
  /** Any other Cx Result-Code / Experimental-Result the CSCF cannot map. */
  HssError = 'hss-error',
  /** TS 24.229 §5.4.1.2.3: the digest response does not match XRES / HA1. */
  WrongResponse = 'wrong-response',
  /** RFC 2617 §3.2.1: the nonce has expired (`stale=true`). */
  StaleNonce = 'stale-nonce',
  /** RFC 2617 §3.2.2: nonce-count not greater than the last one seen (replay). */
  NonceReplayed = 'nonce-replayed',
  /** RFC 3310 §3.4 / TS 33.102 §6.3.5: the UE sent `auts`, SQN out of range, resync needed. */
  SqnResyncNeeded = 'sqn-resync-needed',
  /** The Authorization header is malformed or names another realm / IMPI. */
  BadCredentials = 'bad-credentials',
  /**
   * TS 24.229 §5.4.1.1, TS 33.210: a REGISTER reached the S-CSCF from a hop that is not one
   * of its trusted P-/I-CSCFs.
   */
  UntrustedPeer = 'untrusted-peer',
  /**
   * TS 33.203 §6.1 leaves the policy to the operator: too many failed authentications for
   * one IMPI, refused without asking the HSS until the back-off ends.
   */
  AuthenticationThrottled = 'authentication-throttled',
  /** The HSS does not answer (Diameter peer down or request timeout). */
  HssUnreachable = 'hss-unreachable',
  /**
   * The S-CSCF(s) did not answer (timeout, 408, 503) and no other could be selected:
   * TS 24.229 §5.3.1.3 (the I-CSCF answers 504 Server Time-out).
   */
  ScscfUnreachable = 'scscf-unreachable',
  /** TS 24.229 §5.3.1.2: no configured S-CSCF has the mandatory capabilities. */
  NoScscfCapable = 'no-scscf-capable',
  /** TS 24.229 §5.2.6: a request other than REGISTER from a UE that is not registered. */
  NotRegistered = 'not-registered',
  /** RFC 3329: `Require: sec-agree`, and this core does no IPsec / TLS agreement. */
  SecAgreeNotSupported = 'sec-agree-not-supported',
  /** RFC 3261 §10.3 step 7: Expires below the registrar's minimum (423). */
  IntervalTooBrief = 'interval-too-brief',
  /** RFC 3261 §10.3 step 7: a REGISTER with an older CSeq for the same Call-ID. */
  OutOfOrderCseq = 'out-of-order-cseq',
  /** The request-URI's home domain has no known I-CSCF / host. */
  UnknownDomain = 'unknown-domain',
  /** No next hop could be resolved (not in IMS_HOSTS, bad route). */
  NoRoute = 'no-route',
  /** The request is valid SIP but lacks what this element needs (e.g. no Contact). */
  BadRequest = 'bad-request',
  /**
   * TS 24.229 §5.4.3.2: the served user of an originating request (its P-Asserted-Identity)
   * is not registered at this S-CSCF.
   */
  ServedUserNotRegistered = 'served-user-not-registered',
  /**
   * TS 24.229 §5.4.3.3: the callee has no registered contact and no application server took
   * the request (no service for the unregistered state).
   */
  CalleeNotReachable = 'callee-not-reachable',
  /** TS 24.229 §5.4.3.2: a telephone number no ENUM entry maps and no breakout route exists. */
  NumberNotMapped = 'number-not-mapped',
  /**
   * TS 24.229 §5.4.3.2 / TS 29.228 DefaultHandling SESSION_TERMINATED: the application server
   * did not answer (or failed) and the iFC says the session ends.
   */
  ApplicationServerFailed = 'application-server-failed',
  /** An initial filter criterion of the user profile cannot be evaluated (bad regex). */
  ServiceProfileError = 'service-profile-error',
  /** A request came back from an AS with an original dialog identifier we no longer know. */
  UnknownDialogIdentifier = 'unknown-dialog-identifier',
}

export interface FailureInfo {
  /** The SIP status code the element answers with for this cause. */
  status: number;
  /** Short human explanation (Warning text / Reason text). */
  text: string;
}

/** Status and text of every cause. */
export const FAILURE_CAUSES: Readonly<Record<FailureCause, FailureInfo>> = {
  [FailureCause.UnknownImpi]: { status: 403, text: 'unknown IMPI (not provisioned in the HSS)' },
  [FailureCause.UnknownUser]: {
    status: 403,
    text: 'unknown user (IMPI/IMPU not provisioned in the HSS, Cx 5001)',
  },
  [FailureCause.ImpuNotAssociated]: {
    status: 403,
    text: 'IMPU not associated with IMPI (Cx 5002)',
  },
  [FailureCause.ImpuBarred]: { status: 403, text: 'IMPU barred (Cx 5003)' },
  [FailureCause.RoamingNotAllowed]: { status: 403, text: 'roaming not allowed (Cx 5004)' },
  [FailureCause.AuthSchemeNotSupported]: {
    status: 403,
    text: 'authentication scheme not supported for this IMPI (Cx 5006)',
  },
  [FailureCause.HssError]: { status: 500, text: 'HSS error' },
  [FailureCause.WrongResponse]: { status: 403, text: 'wrong response (authentication failed)' },
  [FailureCause.StaleNonce]: { status: 401, text: 'stale nonce, authenticate again' },
  [FailureCause.NonceReplayed]: { status: 401, text: 'nonce-count replayed' },
  [FailureCause.SqnResyncNeeded]: {
    status: 401,
    text: 'SQN out of range, resynchronisation done (AUTS)',
  },
  [FailureCause.BadCredentials]: { status: 403, text: 'malformed or mismatched credentials' },
  [FailureCause.UntrustedPeer]: {
    status: 403,
    text: 'REGISTER not received through a trusted P-/I-CSCF',
  },
  [FailureCause.AuthenticationThrottled]: {
    status: 403,
    text: 'too many failed authentications for this IMPI, try later',
  },
  [FailureCause.HssUnreachable]: { status: 480, text: 'HSS unreachable' },
  [FailureCause.ScscfUnreachable]: { status: 504, text: 'S-CSCF unreachable' },
  [FailureCause.NoScscfCapable]: {
    status: 600,
    text: 'no S-CSCF has the mandatory capabilities',
  },
  [FailureCause.NotRegistered]: { status: 403, text: 'not registered' },
  [FailureCause.SecAgreeNotSupported]: {
    status: 420,
    text: 'sec-agree not supported (no IPsec/TLS security agreement in this core)',
  },
  [FailureCause.IntervalTooBrief]: { status: 423, text: 'expires below the minimum' },
  [FailureCause.OutOfOrderCseq]: { status: 500, text: 'out-of-order CSeq for this Call-ID' },
  [FailureCause.UnknownDomain]: { status: 404, text: 'unknown home domain' },
  [FailureCause.NoRoute]: { status: 404, text: 'no route to the next hop' },
  [FailureCause.BadRequest]: { status: 400, text: 'bad request' },
  [FailureCause.ServedUserNotRegistered]: {
    status: 403,
    text: 'served user (P-Asserted-Identity) not registered at this S-CSCF',
  },
  [FailureCause.CalleeNotReachable]: {
    status: 480,
    text: 'callee not registered and no service for the unregistered state',
  },
  [FailureCause.NumberNotMapped]: {
    status: 604,
    text: 'number not in the ENUM map and no breakout route',
  },
  [FailureCause.ApplicationServerFailed]: {
    status: 408,
    text: 'application server failed (DefaultHandling SESSION_TERMINATED)',
  },
  [FailureCause.ServiceProfileError]: {
    status: 500,
    text: 'initial filter criteria cannot be evaluated',
  },
  [FailureCause.UnknownDialogIdentifier]: {
    status: 480,
    text: 'original dialog identifier unknown or expired',
  },
};
