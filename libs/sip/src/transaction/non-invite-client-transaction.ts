import type { SipRequest, SipResponse } from '../transport/message-api';
import type { Destination } from '../transport/transport';
import { ClientTransaction } from './client-transaction';
import type { TransactionEnvironment } from './transaction';
import { TransactionState } from './transaction-state';
import type { ClientTransactionUser } from './transaction-user';

const S = TransactionState;

/** Allowed moves of the figure, shared by every instance (not an object per transaction). */
const NON_INVITE_CLIENT_TRANSITIONS: Readonly<Record<string, readonly TransactionState[]>> = {
  [S.Trying]: [S.Proceeding, S.Completed, S.Terminated],
  [S.Proceeding]: [S.Proceeding, S.Completed, S.Terminated],
  [S.Completed]: [S.Terminated],
};

/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2, Figure 6.
 *
 * ```
 *                    |Request from TU, send request
 *  Timer E           V
 *  send request +-----------+
 *      +--------|  Trying   |-------------+ Timer F or Transport Err., inform TU
 *      +------->|           |-----+       |
 *               +-----------+ 200-699     |
 *         1xx   |  resp. to TU     |      |
 *               V                  |      |
 *  Timer E  +-----------+          |      |
 *  send req |Proceeding |----------+----->| Timer F or Transport Err.
 *           +-----------+ 200-699  |      |
 *                   resp. to TU    V      |
 *                         +-----------+   |
 *                         | Completed |   | Timer K
 *                         +-----------+---+---------> Terminated
 * ```
 */
export class NonInviteClientTransaction extends ClientTransaction {
  protected readonly transitions = NON_INVITE_CLIENT_TRANSITIONS;

  constructor(
    id: string,
    request: SipRequest,
    destination: Destination,
    env: TransactionEnvironment,
    user: ClientTransactionUser,
  ) {
    super(id, request, destination, S.Trying, env, user);
  }

  get kind(): string {
    return 'NonInviteClientTransaction';
  }

  /**
   * RFC 3261 §17.1.2.2: "The 'Trying' state is entered when the TU initiates a new client
   * transaction with a request. When entering this state, the client transaction SHOULD set
   * timer F to fire in 64*T1 seconds. [...] If an unreliable transport is in use, the client
   * transaction MUST set timer E to fire in T1 seconds."
   */
  start(): void {
    this.startTimer('F', 64 * this.env.settings.T1, () => this.timerF());
    void this.transmit(true).then((sent) => {
      if (sent && !sent.reliable && (this.state === S.Trying || this.state === S.Proceeding)) {
        this.interval = this.env.settings.T1;
        this.startTimer('E', this.interval, () => this.timerE());
      }
    });
  }

  /**
   * Timer E: "the client transaction MUST [...] retransmit the request [...] and reset the
   * timer with a value of MIN(2*T1, T2) [...] If timer E fires while in the 'Proceeding'
   * state, the request MUST be passed to the transport layer for retransmission, and timer E
   * MUST be reset with a value of T2 seconds."
   */
  timerE(): void {
    if (this.state !== S.Trying && this.state !== S.Proceeding) return;
    void this.transmit(false);
    const { T2 } = this.env.settings;
    this.interval = this.state === S.Proceeding ? T2 : Math.min(2 * this.interval, T2);
    this.startTimer('E', this.interval, () => this.timerE());
  }

  /** Timer F: "the client transaction SHOULD inform the TU about the timeout, and then it SHOULD enter the 'Terminated' state." */
  timerF(): void {
    if (this.state !== S.Trying && this.state !== S.Proceeding) return;
    try {
      this.user.onRequestTimeout?.();
    } finally {
      this.terminate();
    }
  }

  /** Timer K: "the client transaction MUST transition to the 'Terminated' state." */
  timerK(): void {
    if (this.state === S.Completed) this.stateTransition(S.Terminated);
  }

  receiveResponse(response: SipResponse): void {
    if (this.state !== S.Trying && this.state !== S.Proceeding) return; // Completed absorbs
    this.lastResponse = response;
    if (response.status < 200) {
      this.stateTransition(S.Proceeding);
      this.user.receiveResponse?.(response);
      return;
    }
    // "If a final response (status codes 200-699) is received while in the 'Trying' [or
    // 'Proceeding'] state, the response MUST be passed to the TU, and the client transaction
    // MUST transition to the 'Completed' state." Timer K: T4 for unreliable, zero for reliable.
    this.stopTimer('E');
    this.stopTimer('F');
    this.stateTransition(S.Completed);
    this.startTimer('K', this.reliable ? 0 : this.env.settings.T4, () => this.timerK());
    try {
      this.user.receiveResponse?.(response);
    } finally {
      // Timer K's 5 s over UDP only absorb retransmissions: nothing for the TU any more.
      if (!this.reliable && (this.state as TransactionState) === S.Completed)
        this.releaseForCompleted();
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
