/**
 * Transaction states, named as in RFC 3261 §17 Figures 5–8, plus `Accepted` from RFC 6026
 * §7 (INVITE transactions after a 2xx: absorb INVITE retransmissions, let 2xx through).
 */
export enum TransactionState {
  Calling = 'Calling',
  Trying = 'Trying',
  Proceeding = 'Proceeding',
  Completed = 'Completed',
  Confirmed = 'Confirmed',
  Accepted = 'Accepted',
  Terminated = 'Terminated',
}

/** Raised when a state machine is asked to make a move its figure does not allow. */
export class TransactionStateError extends Error {
  constructor(kind: string, from: TransactionState, to: TransactionState) {
    super(`${kind}: invalid state transition ${from} -> ${to}`);
    this.name = 'TransactionStateError';
  }
}
