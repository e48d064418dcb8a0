import { ownBuffer } from '../memory/own-string';
import { parseMessage, type SipRequest, type SipResponse } from '../transport/message-api';
import type { IncomingContext } from '../transport/transport-layer';
import { Transaction, type TransactionEnvironment } from './transaction';
import type { TransactionState } from './transaction-state';
import type { ServerTransactionUser } from './transaction-user';

/** Common part of the INVITE and non-INVITE server transactions (RFC 3261 §17.2). */
export abstract class ServerTransaction extends Transaction {
  /** The last response sent, until `releaseMessages()` keeps it as bytes only. */
  private response?: SipResponse;
  private responseWire?: Buffer;
  private responseStatus = 0;
  /** The TU listening to this transaction; set by whoever handles the request. */
  user: ServerTransactionUser = {};

  protected constructor(
    id: string,
    request: SipRequest,
    /** Where the request came from: responses go back there (RFC 3261 §18.2.2). */
    readonly context: IncomingContext,
    initial: TransactionState,
    env: TransactionEnvironment,
  ) {
    super(id, request, initial, env);
  }

  /** The TU passes a response to send (RFC 3261 §17.2.1 / §17.2.2). */
  abstract respond(response: SipResponse): void;

  /** A retransmission of the request (or, for INVITE, the ACK) matched this transaction. */
  abstract receiveRequest(request: SipRequest): void;

  /**
   * The last response sent, re-sent when the request is retransmitted. Once released (see
   * `releaseMessages`), a new parse of its bytes on every read.
   */
  get lastResponse(): SipResponse | undefined {
    if (this.response !== undefined) return this.response;
    return this.responseWire && (parseMessage(this.responseWire) as SipResponse);
  }

  set lastResponse(response: SipResponse | undefined) {
    this.response = response;
    this.responseWire = undefined;
    this.responseStatus = response?.status ?? 0;
  }

  /** True once a final response was sent. */
  get hasFinalResponse(): boolean {
    return this.responseStatus >= 200;
  }

  /**
   * Keeps the request and the last response as bytes only, for a transaction whose only work
   * left is re-sending that response to retransmissions (see `Transaction.releaseRequest`).
   * `sent`: the bytes `send()` returned for that response (saves serializing it again).
   */
  protected releaseMessages(sent?: Buffer): void {
    this.releaseRequest();
    if (this.response === undefined) return;
    this.responseWire = ownBuffer(sent ?? this.response.toBuffer());
    this.response = undefined;
  }

  protected get reliable(): boolean {
    return this.context.reliable;
  }

  /** Hands the response to the transport layer; returns the bytes it sends. */
  protected send(response: SipResponse): Buffer {
    const data = response.toBuffer();
    this.env.transport
      .sendResponse(response, this.context, data)
      .catch((error: Error) => this.guard(() => this.onTransportError(error)));
    return data;
  }

  /**
   * RFC 3261 §17.2.4: "If [...] the transport layer indicates a failure, [...] the server
   * transaction SHOULD inform the TU that a failure has occurred, and SHOULD transition to
   * the terminated state."
   */
  protected onTransportError(error: Error): void {
    if (this.state === 'Terminated') return;
    try {
      this.user.onTransportError?.(error);
    } finally {
      this.dispose();
    }
  }

  protected notifyTerminated(): void {
    this.user.onTerminated?.();
  }
}
