/**
 * Typed Diameter errors. A decode error carries the RFC 6733 §7.1 Result-Code the receiver
 * answers with and, where one can be named, the offending AVP for the Failed-AVP AVP (§7.5).
 */
import type { Avp } from './avp';

/** Base class of every error thrown by libs/diameter. */
export class DiameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The header fields that could be read before a decode error, enough to build an answer. */
export interface PartialHeader {
  flags: number;
  commandCode: number;
  applicationId: number;
  hopByHop: number;
  endToEnd: number;
}

/**
 * Bytes that are not a valid Diameter message. `resultCode` is the RFC 6733 §7.1 code to
 * answer with (e.g. 5014 DIAMETER_INVALID_AVP_LENGTH, 5015 DIAMETER_INVALID_MESSAGE_LENGTH,
 * 3008 DIAMETER_INVALID_HDR_BITS, 5004 DIAMETER_INVALID_AVP_VALUE); `failedAvp` is the AVP
 * "that caused the failure" (§7.5), `header` the message header when it could be read.
 */
export class DiameterDecodeError extends DiameterError {
  header?: PartialHeader;
  constructor(
    message: string,
    readonly resultCode: number,
    readonly failedAvp?: Avp,
  ) {
    super(message);
  }
}

/** A value that cannot be encoded as the AVP's data type (a programming error of the caller). */
export class DiameterEncodeError extends DiameterError {}

/** No open peer, a request timed out, the peer went away: the request got no answer. */
export class DiameterRequestError extends DiameterError {
  constructor(
    message: string,
    readonly reason: 'no-peer' | 'timeout' | 'peer-down' | 'closed',
  ) {
    super(message);
  }
}

/**
 * A data-type codec rejected the bytes of an AVP. The AVP decoder turns it into a
 * DiameterDecodeError naming the AVP.
 */
export class AvpValueError extends DiameterError {
  constructor(
    message: string,
    readonly resultCode: number,
  ) {
    super(message);
  }
}
