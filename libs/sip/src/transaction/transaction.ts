import { ownBuffer } from '../memory/own-string';
import { parseMessage, type SipRequest, type SipResponse } from '../transport/message-api';
import type { IncomingContext, SentRequest } from '../transport/transport-layer';
import type { Destination } from '../transport/transport';
import { TransactionState, TransactionStateError } from './transaction-state';
import type { TimerFacility, TimerSettings } from './timers';

/** What a transaction needs from the transport layer (RFC 3261 §18); `SipTransportLayer` fits. */
export interface TransactionTransport {
  sendRequest(request: SipRequest, destination: Destination): Promise<SentRequest>;
  /** `data`: the response's bytes, when the caller has already serialized it. */
  sendResponse(response: SipResponse, context: IncomingContext, data?: Buffer): Promise<void>;
}

/** Shared environment of the transactions of one stack instance. */
export interface TransactionEnvironment {
  transport: TransactionTransport;
  settings: TimerSettings;
  timers: TimerFacility;
  /** Called once when a transaction reaches Terminated (the table removes it). */
  onTerminated(transaction: Transaction): void;
  /** Exceptions thrown by a TU callback from a timer or an async send; never rethrown. */
  onError?(error: Error): void;
}

/**
 * Base of the four RFC 3261 §17 state machines: a key, a state, named timers, and one
 * `stateTransition()` per subclass that checks the move against its figure.
 */
export abstract class Transaction {
  private currentState: TransactionState;
  private readonly running = new Map<string, unknown>();
  /** The interval the next retransmission timer (A, E or G) will use. */
  protected interval = 0;

  /** "INVITE" or the method of a non-INVITE transaction. */
  readonly method: string;
  /** The request, until `releaseRequest()` keeps it as `wire` bytes only. */
  private held?: SipRequest;
  private wire?: Buffer;

  protected constructor(
    readonly id: string,
    request: SipRequest,
    initial: TransactionState,
    protected readonly env: TransactionEnvironment,
  ) {
    this.currentState = initial;
    this.held = request;
    this.method = request.method;
  }

  get state(): TransactionState {
    return this.currentState;
  }

  /**
   * The request of the transaction. A transaction that no longer needs it parsed (a
   * non-INVITE server transaction in Completed over UDP, which only re-sends its final
   * response for 32 s) keeps it as bytes, and this returns a new parse of them on every call.
   */
  get request(): SipRequest {
    return this.held ?? (parseMessage(this.wire!) as SipRequest);
  }

  /**
   * Keeps the request as its bytes only: a parsed request (header fields, typed views, its
   * text) is several times its size on the wire, and thousands of completed transactions
   * wait out Timer J at a few hundred requests a second. `bytes`: the request as it was
   * sent, when the caller has them (saves serializing it again).
   */
  protected releaseRequest(bytes?: Buffer): void {
    if (this.held === undefined) return;
    this.wire = ownBuffer(bytes ?? this.held.toBuffer());
    this.held = undefined;
  }

  abstract get kind(): string;

  /** Allowed moves, `from -> [to...]`, from the RFC figure. */
  protected abstract readonly transitions: Readonly<Record<string, readonly TransactionState[]>>;

  /** Enter a state; subclasses then (re)arm timers. Terminated disposes the transaction. */
  protected stateTransition(next: TransactionState): void {
    const allowed = this.transitions[this.currentState] ?? [];
    if (!allowed.includes(next))
      throw new TransactionStateError(this.kind, this.currentState, next);
    this.currentState = next;
    if (next === TransactionState.Terminated) this.dispose();
  }

  /**
   * Runs code that may call into the TU from a timer or a promise: an exception there must
   * not become an uncaught exception (or unhandled rejection) that stops the process.
   */
  protected guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.env.onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Moves to Terminated unless a callback already got there. */
  protected terminate(): void {
    if (this.currentState !== TransactionState.Terminated)
      this.stateTransition(TransactionState.Terminated);
  }

  protected startTimer(name: string, ms: number, fire: () => void): void {
    this.stopTimer(name);
    const handle = this.env.timers.setTimeout(() => {
      this.running.delete(name);
      if (this.currentState !== TransactionState.Terminated) this.guard(fire);
    }, ms);
    this.running.set(name, handle);
  }

  protected stopTimer(name: string): void {
    const handle = this.running.get(name);
    if (handle !== undefined) {
      this.env.timers.clearTimeout(handle);
      this.running.delete(name);
    }
  }

  /** Names of running timers (diagnostics and tests). */
  get activeTimers(): string[] {
    return [...this.running.keys()];
  }

  /** Stops every timer and leaves the table. Idempotent. */
  dispose(): void {
    for (const name of [...this.running.keys()]) this.stopTimer(name);
    if (this.currentState !== TransactionState.Terminated)
      this.currentState = TransactionState.Terminated;
    if (!this.disposed) {
      this.disposed = true;
      this.env.onTerminated(this);
      this.notifyTerminated();
    }
  }

  private disposed = false;

  protected abstract notifyTerminated(): void;
}
