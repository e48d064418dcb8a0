import type { SipRequest, SipResponse } from '../transport/message-api';
import type { Destination } from '../transport/transport';
import { buildAckForNon2xx } from './build-ack';
import { ClientTransaction } from './client-transaction';
import type { TransactionEnvironment } from './transaction';
import { TransactionState } from './transaction-state';
import type { ClientTransactionUser } from './transaction-user';

const S = TransactionState;

/** Allowed moves of the figure, shared by every instance (not an object per transaction). */
const INVITE_CLIENT_TRANSITIONS: Readonly<Record<string, readonly TransactionState[]>> = {
  [S.Calling]: [S.Proceeding, S.Completed, S.Accepted, S.Terminated],
  [S.Proceeding]: [S.Proceeding, S.Completed, S.Accepted, S.Terminated],
  [S.Accepted]: [S.Terminated],
  [S.Completed]: [S.Terminated],
};

/**
 * INVITE client transaction, RFC 3261 §17.1.1, Figure 5.
 *
 * ```
 *            |INVITE from TU
 *  Timer A fires     |INVITE sent
 *  (2xx -> Accepted per RFC 6026: further 2xx to TU, Timer M -> Terminated)
 *  Reset A,          V                      Timer B fires
 *  INVITE sent +-----------+                or Transport Err.
 *    +---------|           |---------------+inform TU
 *    |         |  Calling  |               |
 *    +-------->|           |-------------->|
 *              +-----------+ 2xx           |
 *  300-699     |  |  1xx   inform TU      |
 *  ACK sent    |  V                        |
 *           +-----------+  2xx inform TU   |
 *           | Proceeding|----------------->|
 *           +-----------+                  |
 *   300-699 ACK sent, resp. to TU          |
 *           +-----------+  Timer D fires   |
 *           | Completed |----------------->|
 *           +-----------+                  V
 *                                   +-----------+
 *                                   | Terminated|
 *                                   +-----------+
 * ```
 */
export class InviteClientTransaction extends ClientTransaction {
  protected readonly transitions = INVITE_CLIENT_TRANSITIONS;
  /** The ACK built for a non-2xx final response, re-sent on retransmissions of it. */
  ack?: SipRequest;

  constructor(
    id: string,
    request: SipRequest,
    destination: Destination,
    env: TransactionEnvironment,
    user: ClientTransactionUser,
  ) {
    super(id, request, destination, S.Calling, env, user);
  }

  get kind(): string {
    return 'InviteClientTransaction';
  }

  /**
   * RFC 3261 §17.1.1.2: "the client transaction MUST start timer A with a value of T1 [if an
   * unreliable transport is being used] [...] For any transport, the client transaction MUST
   * start timer B with a value of 64*T1 seconds."
   */
  start(): void {
    this.startTimer('B', 64 * this.env.settings.T1, () => this.timerB());
    void this.transmit(true).then((sent) => {
      if (sent && !sent.reliable && this.state === S.Calling) {
        this.interval = this.env.settings.T1;
        this.startTimer('A', this.interval, () => this.timerA());
      }
    });
  }

  /**
   * Timer A: "the client transaction MUST retransmit the request by passing it to the
   * transport layer, and MUST reset the timer with a value of 2*T1" (doubling each time).
   */
  timerA(): void {
    if (this.state !== S.Calling) return;
    void this.transmit(false);
    this.interval *= 2;
    this.startTimer('A', this.interval, () => this.timerA());
  }

  /** Timer B: "the client transaction SHOULD inform the TU that a timeout has occurred." */
  timerB(): void {
    if (this.state !== S.Calling) return;
    try {
      this.user.onRequestTimeout?.();
    } finally {
      this.terminate();
    }
  }

  /** Timer M (RFC 6026): leaves Accepted for Terminated. */
  timerM(): void {
    if (this.state === S.Accepted) this.stateTransition(S.Terminated);
  }

  /** Timer D: "the client transaction MUST move to the Terminated state." */
  timerD(): void {
    if (this.state === S.Completed) this.stateTransition(S.Terminated);
  }

  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case S.Calling:
      case S.Proceeding:
        this.lastResponse = response;
        if (status < 200) {
          // "it transitions to the Proceeding state [...] SHOULD NOT retransmit the request"
          this.stopTimer('A');
          this.stopTimer('B');
          this.stateTransition(S.Proceeding);
          this.user.receiveResponse?.(response);
        } else if (status < 300) {
          // RFC 3261 §17.1.1.2 as updated by RFC 6026: a 2xx in Calling or Proceeding is
          // passed up to the TU and the transaction enters Accepted (timer M = 64*T1).
          this.stopTimer('A');
          this.stopTimer('B');
          this.stateTransition(S.Accepted);
          this.startTimer('M', 64 * this.env.settings.T1, () => this.timerM());
          this.user.receiveResponse?.(response);
        } else {
          // "reception of a response with status code from 300-699 MUST cause the client
          // transaction to transition to 'Completed'. The client transaction MUST pass the
          // received response up to the TU, and the client transaction MUST generate an ACK"
          this.stopTimer('A');
          this.stopTimer('B');
          this.stateTransition(S.Completed);
          this.ack = buildAckForNon2xx(this.request, response);
          this.sendOnSamePath(this.ack);
          const d = this.reliable ? 0 : this.env.settings.timerD;
          this.startTimer('D', d, () => this.timerD());
          this.user.receiveResponse?.(response);
        }
        return;
      case S.Accepted:
        // RFC 6026: 2xx responses received in Accepted (retransmitted or forked) are passed
        // up to the TU, which ACKs each.
        if (status >= 200 && status < 300) this.user.receiveResponse?.(response);
        return;
      case S.Completed:
        // "Any retransmissions of the final response that are received while in the
        // 'Completed' state MUST cause the ACK to be re-passed to the transport layer"
        if (status >= 300 && this.ack) this.sendOnSamePath(this.ack);
        return;
      default:
        return;
    }
  }

  protected onTransportError(error: Error): void {
    if (this.state === S.Terminated) return;
    try {
      this.user.onTransportError?.(error);
    } finally {
      this.terminate();
    }
  }
}
