import { type SipRequest } from '../transport/message-api';
import { isLoop } from './loop-detection';

/** A reason to reject a request, with the response to send. */
export interface RequestRejection {
  status: number;
  reason?: string;
  headers?: [string, string][];
}

export interface ValidationOptions {
  /** URI schemes the proxy understands (RFC 3261 §16.3 step 2). */
  schemes: string[];
  /** Option tags the proxy supports in Proxy-Require (step 5). */
  supported: string[];
  /** Loop detection (step 4); needs to know this proxy's sent-by values. */
  isOwnSentBy?(host: string, port: number | undefined): boolean;
}

/**
 * Request validation, RFC 3261 §16.3: "Before an element can proxy a request, it MUST verify
 * the message's validity. A valid message must pass the following checks: 1. Reasonable
 * Syntax 2. URI scheme 3. Max-Forwards 4. (Optional) Loop Detection 5. Proxy-Require
 * 6. Proxy-Authorization". Syntax was checked by the parser (the transport layer answered
 * 400); Proxy-Authorization is left to processors. Returns the rejection, or undefined.
 */
export function validateRequest(
  request: SipRequest,
  options: ValidationOptions,
): RequestRejection | undefined {
  // 2. "If the Request-URI has a URI whose scheme is not understood by the proxy, the proxy
  // SHOULD reject the request with a 416 (Unsupported URI Scheme) response."
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(request.uri)?.[1]?.toLowerCase();
  if (!scheme || !options.schemes.includes(scheme)) {
    return { status: 416 };
  }
  // 3. "If the request does not contain a Max-Forwards header field, this check is passed.
  // If the request contains a Max-Forwards header field with a field value greater than
  // zero, the check is passed. If the request contains a Max-Forwards header field with a
  // field value of zero (0), the element MUST NOT forward the request [...] the element
  // MUST return a 483 (Too many hops) response."
  const maxForwards = request.maxForwards();
  if (maxForwards !== undefined && maxForwards <= 0) {
    return { status: 483 };
  }
  // 4. Loop detection -> "482 (Loop Detected)".
  if (options.isOwnSentBy && isLoop(request, options.isOwnSentBy)) {
    return { status: 482 };
  }
  // 5. "If the request contains a Proxy-Require header field with one or more option-tags
  // this element does not understand, the element MUST return a 420 (Bad Extension)
  // response. The response MUST include an Unsupported header field listing those
  // option-tags the element did not understand."
  const unsupported = request
    .getAll('Proxy-Require')
    .map((t) => t.trim())
    .filter((t) => t !== '' && !options.supported.includes(t.toLowerCase()));
  if (unsupported.length > 0 && request.method !== 'ACK' && request.method !== 'CANCEL') {
    return { status: 420, headers: [['Unsupported', unsupported.join(', ')]] };
  }
  return undefined;
}
