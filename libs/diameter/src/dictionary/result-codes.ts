/**
 * Result-Code values of RFC 6733 §7.1 and the Cx Experimental-Result-Code values of
 * TS 29.229 §6.2 (sent inside Experimental-Result with Vendor-Id 10415).
 */

/** RFC 6733 §7.1: base protocol Result-Code values. */
export const ResultCode = {
  /** §7.1.1 Informational */
  MULTI_ROUND_AUTH: 1001,
  /** §7.1.2 Success */
  SUCCESS: 2001,
  LIMITED_SUCCESS: 2002,
  /** §7.1.3 Protocol errors (answered with the E bit set) */
  COMMAND_UNSUPPORTED: 3001,
  UNABLE_TO_DELIVER: 3002,
  REALM_NOT_SERVED: 3003,
  TOO_BUSY: 3004,
  LOOP_DETECTED: 3005,
  REDIRECT_INDICATION: 3006,
  APPLICATION_UNSUPPORTED: 3007,
  INVALID_HDR_BITS: 3008,
  INVALID_AVP_BITS: 3009,
  UNKNOWN_PEER: 3010,
  /** §7.1.4 Transient failures */
  AUTHENTICATION_REJECTED: 4001,
  OUT_OF_SPACE: 4002,
  ELECTION_LOST: 4003,
  /** §7.1.5 Permanent failures */
  AVP_UNSUPPORTED: 5001,
  UNKNOWN_SESSION_ID: 5002,
  AUTHORIZATION_REJECTED: 5003,
  INVALID_AVP_VALUE: 5004,
  MISSING_AVP: 5005,
  RESOURCES_EXCEEDED: 5006,
  CONTRADICTING_AVPS: 5007,
  AVP_NOT_ALLOWED: 5008,
  AVP_OCCURS_TOO_MANY_TIMES: 5009,
  NO_COMMON_APPLICATION: 5010,
  UNSUPPORTED_VERSION: 5011,
  UNABLE_TO_COMPLY: 5012,
  INVALID_BIT_IN_HEADER: 5013,
  INVALID_AVP_LENGTH: 5014,
  INVALID_MESSAGE_LENGTH: 5015,
  INVALID_AVP_BIT_COMBO: 5016,
  NO_COMMON_SECURITY: 5017,
} as const;
export type ResultCodeValue = (typeof ResultCode)[keyof typeof ResultCode];

/** TS 29.229 §6.2.1–§6.2.2: Cx Experimental-Result-Code values (vendor 10415). */
export const CxExperimentalResult = {
  /** §6.2.1.1 */
  FIRST_REGISTRATION: 2001,
  /** §6.2.1.2 */
  SUBSEQUENT_REGISTRATION: 2002,
  /** §6.2.1.3 */
  UNREGISTERED_SERVICE: 2003,
  /** §6.2.1.4 */
  SUCCESS_SERVER_NAME_NOT_STORED: 2004,
  /** §6.2.2.1 */
  ERROR_USER_UNKNOWN: 5001,
  /** §6.2.2.2 */
  ERROR_IDENTITIES_DONT_MATCH: 5002,
  /** §6.2.2.3 */
  ERROR_IDENTITY_NOT_REGISTERED: 5003,
  /** §6.2.2.4 */
  ERROR_ROAMING_NOT_ALLOWED: 5004,
  /** §6.2.2.5 */
  ERROR_IDENTITY_ALREADY_REGISTERED: 5005,
  /** §6.2.2.6 */
  ERROR_AUTH_SCHEME_NOT_SUPPORTED: 5006,
  /** §6.2.2.7 */
  ERROR_IN_ASSIGNMENT_TYPE: 5007,
  /** §6.2.2.8 */
  ERROR_TOO_MUCH_DATA: 5008,
  /** §6.2.2.9 */
  ERROR_NOT_SUPPORTED_USER_DATA: 5009,
  /** §6.2.2.10 */
  ERROR_FEATURE_UNSUPPORTED: 5011,
  /** §6.2.2.11 */
  ERROR_SERVING_NODE_FEATURE_UNSUPPORTED: 5012,
} as const;

/** RFC 6733 §7.1: 3xxx protocol errors are answered with the 'E' bit set. */
export function isProtocolError(resultCode: number): boolean {
  return resultCode >= 3000 && resultCode < 4000;
}

/** RFC 6733 §7.1.2: 2xxx is success. */
export function isSuccess(resultCode: number | undefined): boolean {
  return resultCode !== undefined && resultCode >= 2000 && resultCode < 3000;
}
