import { createResponse, type SipRequest, type SipResponse } from '../transport/message-api';
import type { IncomingContext } from '../transport/transport-layer';
import { ServerTransaction } from './server-transaction';
import type { TransactionEnvironment } from './transaction';
import { TransactionState } from './transaction-state';

const S = TransactionState;

/** RFC 3261 §17.2.1: the server sends 100 Trying unless the TU answers within 200 ms. */
export const TRYING_DELAY_MS = 200;

/** Allowed moves of the figure, shared by every instance (not an object per transaction). */
const INVITE_SERVER_TRANSITIONS: Readonly<Record<string, readonly TransactionState[]>> = {
  [S.Proceeding]: [S.Proceeding, S.Completed, S.Accepted, S.Terminated],
  [S.Accepted]: [S.Terminated],
  [S.Completed]: [S.Confirmed, S.Terminated],
  [S.Confirmed]: [S.Terminated],
};

/**
 * INVITE server transaction, RFC 3261 §17.2.1, Figure 7.
 *
 * ```
 *                      |INVITE, pass INV to TU
 *   INVITE             V send 100 if TU won't in 200ms
 *   send response+-----------+
 *       +--------|           |--------+101-199 from TU, send response
 *       +------->| Proceeding|<-------+
 *                |           |--------------------------+ 2xx from TU, send response
 *                +-----------+ Transport Err.           | -> Accepted (RFC 6026): absorbs
 *                                                       |    INVITEs, passes 2xx, Timer L
 *    300-699 from TU |   inform TU                      |
 *    send response   V                                  |
 *                +-----------+ Timer H fires, or         |
 *   INVITE +-----| Completed |-------------------------->|
 *   send resp +->|           | Transport Err., inform TU|
 *   Timer G      +-----------+                          |
 *                  ACK |                                |
 *                      V                                |
 *                +-----------+                          |
 *   ACK +--------| Confirmed |                          |
 *   -   +------->|           |  Timer I fires           |
 *                +-----------+------------------------->V
 *                                                 Terminated
 * ```
 */
export class InviteServerTransaction extends ServerTransaction {
  protected readonly transitions = INVITE_SERVER_TRANSITIONS;

  constructor(
    id: string,
    request: SipRequest,
    context: IncomingContext,
    env: TransactionEnvironment,
  ) {
    super(id, request, context, S.Proceeding, env);
    // "the server transaction MUST generate a 100 (Trying) response unless it knows that the
    // TU will generate a provisional or final response within 200 ms"
    this.startTimer('Trying', TRYING_DELAY_MS, () => {
      if (this.state === S.Proceeding && !this.lastResponse)
        this.respond(createResponse(this.request, 100));
    });
  }

  get kind(): string {
    return 'InviteServerTransaction';
  }

  respond(response: SipResponse): void {
    const status = response.status;
    if (this.state === S.Accepted) {
      // RFC 6026 (Accepted state): further 2xx from the TU (its retransmissions, RFC 3261
      // §13.3.1.4) are passed to the transport layer.
      if (status >= 200 && status < 300) this.send(response);
      return;
    }
    if (this.state !== S.Proceeding) return; // a final response was already sent
    this.stopTimer('Trying');
    this.lastResponse = response;
    this.send(response);
    if (status < 200) {
      this.stateTransition(S.Proceeding);
    } else if (status < 300) {
      // RFC 3261 §17.2.1 as updated by RFC 6026: a 2xx from the TU in Proceeding is sent and
      // the transaction enters Accepted (instead of Terminated) with timer L = 64*T1, so a
      // retransmitted INVITE is not mistaken for a new request.
      this.stateTransition(S.Accepted);
      this.startTimer('L', 64 * this.env.settings.T1, () => this.timerL());
    } else {
      // "the response MUST be passed to the transport layer for transmission, and the state
      // machine MUST enter the 'Completed' state. For unreliable transports, timer G is set
      // to fire in T1 seconds [...] When the 'Completed' state is entered, timer H MUST be set
      // to fire in 64*T1 seconds for all transports."
      this.stateTransition(S.Completed);
      if (!this.reliable) {
        this.interval = this.env.settings.T1;
        this.startTimer('G', this.interval, () => this.timerG());
      }
      this.startTimer('H', 64 * this.env.settings.T1, () => this.timerH());
    }
  }

  receiveRequest(request: SipRequest): void {
    // RFC 6026: in Accepted, INVITE retransmissions are absorbed (not passed to the TU,
    // nothing re-sent: 2xx retransmission is the TU's job).
    if (this.state === S.Accepted) return;
    if (request.method === 'ACK') {
      if (this.state !== S.Completed) return; // Confirmed absorbs further ACKs
      // "If an ACK is received while the server transaction is in the 'Completed' state, the
      // server transaction MUST transition to the 'Confirmed' state. As Timer G is ignored in
      // this state, any retransmissions of the response will cease." Timer I: T4 / zero.
      this.stopTimer('G');
      this.stopTimer('H');
      this.stateTransition(S.Confirmed);
      this.startTimer('I', this.reliable ? 0 : this.env.settings.T4, () => this.timerI());
      return;
    }
    // "If a request retransmission is received while in the 'Proceeding' state, the most
    // recent provisional response that was received from the TU MUST be passed to the
    // transport layer for retransmission." And in Completed, the final response.
    if ((this.state === S.Proceeding || this.state === S.Completed) && this.lastResponse) {
      this.send(this.lastResponse);
    }
  }

  /** Timer G: "the response is passed to the transport layer once more for retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds." */
  timerG(): void {
    if (this.state !== S.Completed || !this.lastResponse) return;
    this.send(this.lastResponse);
    this.interval = Math.min(2 * this.interval, this.env.settings.T2);
    this.startTimer('G', this.interval, () => this.timerG());
  }

  /** Timer H: "the server transaction MUST transition to the 'Terminated' state, and MUST indicate to the TU that a transaction failure has occurred." */
  timerH(): void {
    if (this.state !== S.Completed) return;
    try {
      this.user.onTimeout?.();
    } finally {
      this.terminate();
    }
  }

  /** Timer L (RFC 6026): leaves Accepted for Terminated. */
  timerL(): void {
    if (this.state === S.Accepted) this.stateTransition(S.Terminated);
  }

  /** Timer I: "the server transaction MUST transition to the 'Terminated' state." */
  timerI(): void {
    if (this.state === S.Confirmed) this.stateTransition(S.Terminated);
  }
}
