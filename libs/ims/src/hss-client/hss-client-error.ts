/**
 * Typed failures of the Cx client. A CSCF maps HssUnavailableError to "HSS unreachable"
 * (480 with Retry-After, TS 24.229 §5.3.1.2 / §5.4.1.2) and HssAnswerError to a 500.
 */

/** Base class of every error the Cx client throws. */
export class HssClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The request got no answer: no Diameter peer is open towards the HSS, the request timed out
 * (RFC 6733 §5.5.4 failover is not attempted: there is one HSS), the peer went down while it
 * was pending, or the client was closed.
 */
export class HssUnavailableError extends HssClientError {
  constructor(
    message: string,
    readonly reason: 'no-peer' | 'timeout' | 'peer-down' | 'closed',
  ) {
    super(message);
  }
}

/** The HSS answered, but the answer is not a valid Cx answer of the command sent. */
export class HssAnswerError extends HssClientError {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}
