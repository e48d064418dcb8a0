import type { SipRequest, SipResponse } from '../transport/message-api';
import type { IncomingContext } from '../transport/transport-layer';
import { ServerTransaction } from './server-transaction';
import type { TransactionEnvironment } from './transaction';
import { TransactionState } from './transaction-state';

const S = TransactionState;

/** Allowed moves of the figure, shared by every instance (not an object per transaction). */
const NON_INVITE_SERVER_TRANSITIONS: Readonly<Record<string, readonly TransactionState[]>> = {
  [S.Trying]: [S.Proceeding, S.Completed, S.Terminated],
  [S.Proceeding]: [S.Proceeding, S.Completed, S.Terminated],
  [S.Completed]: [S.Terminated],
};

/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2, Figure 8.
 *
 * ```
 *                       |Request received, pass to TU
 *                       V
 *                 +-----------+
 *                 |  Trying   |-------------+
 *                 +-----------+ 200-699 from TU, send response
 *                       |1xx from TU, send response |
 *                       V                           |
 *  Request        +-----------+ 1xx from TU         |
 *  send response  | Proceeding|<-- send response    |
 *                 +-----------+ 200-699 from TU     |
 *                       |      send response        |
 *                       V                           |
 *  Request        +-----------+<--------------------+
 *  send response  | Completed |
 *                 +-----------+ Timer J fires -> Terminated
 * ```
 */
export class NonInviteServerTransaction extends ServerTransaction {
  protected readonly transitions = NON_INVITE_SERVER_TRANSITIONS;

  constructor(
    id: string,
    request: SipRequest,
    context: IncomingContext,
    env: TransactionEnvironment,
  ) {
    super(id, request, context, S.Trying, env);
  }

  get kind(): string {
    return 'NonInviteServerTransaction';
  }

  respond(response: SipResponse): void {
    if (this.state !== S.Trying && this.state !== S.Proceeding) return;
    this.lastResponse = response;
    const sent = this.send(response);
    if (response.status < 200) {
      this.stateTransition(S.Proceeding);
      return;
    }
    // "the server transaction MUST enter the 'Completed' state [...] When the server
    // transaction enters the 'Completed' state, it MUST set Timer J to fire in 64*T1 seconds
    // for unreliable transports, and zero seconds for reliable transports."
    this.stateTransition(S.Completed);
    this.startTimer('J', this.reliable ? 0 : 64 * this.env.settings.T1, () => this.timerJ());
    this.guard(() => this.user.onCompleted?.());
    // All that is left for 64*T1 is re-sending this response: keep both messages as bytes.
    if (!this.reliable && (this.state as TransactionState) === S.Completed)
      this.releaseMessages(sent);
  }

  /**
   * "Once in the 'Trying' state, any further request retransmissions are discarded." In
   * Proceeding and Completed the last response is re-sent.
   */
  receiveRequest(_request: SipRequest): void {
    if ((this.state === S.Proceeding || this.state === S.Completed) && this.lastResponse) {
      this.send(this.lastResponse);
    }
  }

  /** Timer J: "the server transaction MUST transition to the 'Terminated' state." */
  timerJ(): void {
    if (this.state === S.Completed) this.stateTransition(S.Terminated);
  }
}
