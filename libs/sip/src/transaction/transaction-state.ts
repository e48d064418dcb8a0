/** Transaction states, named as in RFC 3261 §17 Figures 5–8. */
export enum TransactionState {
  Calling = 'Calling',
  Trying = 'Trying',
  Proceeding = 'Proceeding',
  Completed = 'Completed',
  Confirmed = 'Confirmed',
  Terminated = 'Terminated',
}

/** Raised when a state machine is asked to make a move its figure does not allow. */
export class TransactionStateError extends Error {
  constructor(kind: string, from: TransactionState, to: TransactionState) {
    super(`${kind}: invalid state transition ${from} -> ${to}`);
    this.name = 'TransactionStateError';
  }
}
