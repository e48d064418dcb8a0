import type { SipRequest, SipResponse } from '../transport/message-api';
import type { SentRequest } from '../transport/transport-layer';
import type { Destination } from '../transport/transport';
import { Transaction, type TransactionEnvironment } from './transaction';
import type { TransactionState } from './transaction-state';
import type { ClientTransactionUser } from './transaction-user';

/** Common part of the INVITE and non-INVITE client transactions (RFC 3261 §17.1). */
export abstract class ClientTransaction extends Transaction {
  /** How the request left (after the transport layer's choices); set once sent. */
  sent?: SentRequest;
  /**
   * The last response received (provisional or final), until a non-INVITE transaction lets go
   * of it in Completed (`releaseForCompleted`: the TU has it, and a proxy has already sent it
   * on).
   */
  lastResponse?: SipResponse;
  /** The bytes of the first transmission, until `releaseForCompleted`. */
  private sentBytes?: Buffer;
  private released = false;

  protected constructor(
    id: string,
    request: SipRequest,
    readonly destination: Destination,
    initial: TransactionState,
    env: TransactionEnvironment,
    protected user: ClientTransactionUser,
  ) {
    super(id, request, initial, env);
  }

  /** The branch of the top Via, which identifies the transaction (RFC 3261 §17.1.3). */
  get branch(): string {
    return this.request.topVia().branch ?? '';
  }

  /** Sends the request for the first time and arms the timers. */
  abstract start(): void;

  /** A response matched this transaction (RFC 3261 §17.1.3). */
  abstract receiveResponse(response: SipResponse): void;

  /** (Re)transmits the request; the first send records how it left. */
  protected transmit(first: boolean): Promise<SentRequest | undefined> {
    const destination = this.sent?.destination ?? this.destination;
    return this.env.transport.sendRequest(this.request, destination).then(
      (sent) => {
        if (first) {
          const { data, ...how } = sent;
          this.sent = how;
          // Kept for `releaseForCompleted` (non-INVITE only: an INVITE transaction keeps its
          // parsed request, and these bytes may be a slice of a shared pool).
          if (!this.released && this.method !== 'INVITE') this.sentBytes = data;
        }
        return sent;
      },
      (error: Error) => {
        this.guard(() => this.onTransportError(error));
        return undefined;
      },
    );
  }

  /** Sends another request (the ACK) over the same path as the original. */
  protected sendOnSamePath(request: SipRequest): void {
    const destination = this.sent?.destination ?? this.destination;
    this.env.transport
      .sendRequest(request, destination)
      .catch((error: Error) => this.guard(() => this.onTransportError(error)));
  }

  /**
   * RFC 3261 §17.1.4: "If the transport layer indicates a failure [...] the client transaction
   * SHOULD inform the TU that a transport failure has occurred, and the client transaction
   * SHOULD transition directly to the 'Terminated' state."
   */
  protected abstract onTransportError(error: Error): void;

  protected get reliable(): boolean {
    return this.sent?.reliable ?? this.destination.transport !== 'UDP';
  }

  /**
   * For a transaction whose only work left is absorbing retransmitted responses (a
   * non-INVITE in Completed, Timer K: 5 s over UDP): lets go of the TU's callbacks, which
   * RFC 3261 §17.1.2.2 no longer calls (a proxy's callbacks hold on to its whole response
   * context: the working copy of the request, every branch and response), keeping only
   * `onTerminated`; keeps the request as the bytes that were sent, and drops the final
   * response (a parsed response keeps its whole received header text).
   */
  protected releaseForCompleted(): void {
    const onTerminated = this.user.onTerminated?.bind(this.user);
    this.user = onTerminated ? { onTerminated } : {};
    this.released = true;
    this.releaseRequest(this.sentBytes);
    this.sentBytes = undefined;
    this.lastResponse = undefined;
  }

  protected notifyTerminated(): void {
    this.user.onTerminated?.();
  }
}
