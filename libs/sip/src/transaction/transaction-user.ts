import type { SipResponse } from '../transport/message-api';

/**
 * RFC 3261 §17: "The transaction user (TU) is the layer of protocol processing that resides
 * above the transaction layer." These are the events a transaction reports up.
 */
export interface ClientTransactionUser {
  /**
   * A response for the TU. RFC 3261 §17.1.1.2: provisional and final responses are passed
   * up; 2xx to INVITE "MUST be passed up to the TU", which generates the ACK itself.
   */
  receiveResponse?(response: SipResponse): void;
  /** Timer B or F fired: RFC 3261 §17.1.1.2 / §17.1.2.2 "inform the TU that a timeout occurred". */
  onRequestTimeout?(): void;
  /** RFC 3261 §17.1.4: "the client transaction SHOULD inform the TU that a transport failure has occurred". */
  onTransportError?(error: Error): void;
  /** The transaction reached Terminated and left the table. */
  onTerminated?(): void;
}

export interface ServerTransactionUser {
  /**
   * A non-INVITE transaction sent its final response and entered Completed (RFC 3261
   * §17.2.2): from here on it only absorbs retransmissions of the request (Timer J, 32 s
   * over UDP), which needs nothing from the TU. A TU can let go of the request's state now
   * instead of at `onTerminated`.
   */
  onCompleted?(): void;
  /** Timer H fired: no ACK arrived for a final non-2xx response (RFC 3261 §17.2.1). */
  onTimeout?(): void;
  /** RFC 3261 §17.2.4: a response could not be sent. */
  onTransportError?(error: Error): void;
  onTerminated?(): void;
}
