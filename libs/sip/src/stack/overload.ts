/**
 * Load shedding for a SIP element (RFC 3261 §21.5.4, RFC 6357 §4, RFC 7339 §5.1): when too
 * many server transactions are waiting for their final response, or the event loop lags, a
 * new out-of-dialog request is refused statelessly with 503 (Service Unavailable) and a
 * Retry-After instead of being queued behind the work the element cannot finish in time.
 *
 * RFC 3261 §21.5.4: "The server is temporarily unable to process the request due to a
 * temporary overloading [...]. The server MAY indicate when the client should retry the
 * request in a Retry-After header field." RFC 6357 §4 explains why: a 503 costs the overloaded
 * element far less than the request it replaces, and a client that honours Retry-After stops
 * retransmitting.
 *
 * What is never shed, so that work already accepted can finish (RFC 7339 §5.10.1 lets
 * in-dialog requests and CANCEL through): ACK, CANCEL, requests inside a dialog (a To tag),
 * and retransmissions of requests whose transaction exists (the transaction absorbs them).
 * A request answering a challenge (credentials with a nonce, RFC 3261 §22.2) completes work
 * the element already paid for (the 401 and, in IMS, the MAR): it has half the limit again
 * as headroom before it is shed (RFC 6357 §4: prefer finishing work over starting it).
 *
 * The 503 creates no transaction: the element answers as a stateless UAS, with a To tag from
 * `StatelessTags` (RFC 3261 §8.2.7: the same tag for a retransmission, and the ACK for the 503
 * recognised and dropped by the stack instead of reaching the TU).
 */
import type { SipRequest } from '../transport/message-api';
import type { ServerTransaction } from '../transaction/server-transaction';

export interface OverloadOptions {
  /**
   * Server transactions still waiting for their final response (Trying/Proceeding) above
   * which new requests are refused. 0: no limit. Default 1000.
   */
  maxPendingServerTransactions?: number;
  /**
   * Event-loop lag (ms, measured every 100 ms) above which new requests are refused.
   * 0: not measured. Default 0.
   */
  maxEventLoopLagMs?: number;
  /** Retry-After (seconds) of the 503. Default 5. */
  retryAfter?: number;
}

export const DEFAULT_OVERLOAD: Required<OverloadOptions> = {
  maxPendingServerTransactions: 1000,
  maxEventLoopLagMs: 0,
  retryAfter: 5,
};

/** Why a request was refused (the 503's reason phrase names it for operators). */
export type ShedReason = 'pending-transactions' | 'event-loop-lag';

/** Counters for diagnostics and metrics. */
export interface OverloadStats {
  /** Requests refused with 503 since start. */
  shed: number;
  /** Requests refused per reason. */
  byReason: Record<ShedReason, number>;
  /** Server transactions admitted and still without a final response (last count). */
  pending: number;
  /** Last measured event-loop lag (ms). */
  lagMs: number;
}

/**
 * The shedding policy of one SipStack. `check()` runs for every request that would create a
 * new server transaction; `admitted()` records the transaction it created.
 */
export class OverloadPolicy {
  readonly settings: Required<OverloadOptions>;
  readonly stats: OverloadStats = {
    shed: 0,
    byReason: { 'pending-transactions': 0, 'event-loop-lag': 0 },
    pending: 0,
    lagMs: 0,
  };
  private readonly pending = new Set<ServerTransaction>();
  private lastSweep = 0;
  private lagTimer?: ReturnType<typeof setInterval>;

  constructor(options: OverloadOptions = {}) {
    this.settings = {
      maxPendingServerTransactions:
        options.maxPendingServerTransactions ?? DEFAULT_OVERLOAD.maxPendingServerTransactions,
      maxEventLoopLagMs: options.maxEventLoopLagMs ?? DEFAULT_OVERLOAD.maxEventLoopLagMs,
      retryAfter: options.retryAfter ?? DEFAULT_OVERLOAD.retryAfter,
    };
    for (const [name, v] of Object.entries(this.settings))
      if (!Number.isInteger(v) || v < 0)
        throw new RangeError(`overload ${name} must be an integer >= 0`);
  }

  /** Starts the event-loop lag probe (only when a lag limit is set). */
  start(): void {
    if (this.settings.maxEventLoopLagMs <= 0 || this.lagTimer) return;
    const PERIOD = 100;
    let expected = Date.now() + PERIOD;
    this.lagTimer = setInterval(() => {
      const now = Date.now();
      this.stats.lagMs = Math.max(0, now - expected);
      expected = now + PERIOD;
    }, PERIOD);
    this.lagTimer.unref?.();
  }

  stop(): void {
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagTimer = undefined;
    this.pending.clear();
  }

  /**
   * Whether a request that would start a new server transaction is refused, and why.
   * Never for ACK, CANCEL or in-dialog requests (To tag present).
   */
  check(request: SipRequest): ShedReason | undefined {
    if (request.method === 'ACK' || request.method === 'CANCEL') return undefined;
    let inDialog = false;
    try {
      inDialog = request.to().tag !== undefined;
    } catch {
      inDialog = false;
    }
    if (inDialog) return undefined;
    const { maxPendingServerTransactions: max, maxEventLoopLagMs: maxLag } = this.settings;
    const completing = answersChallenge(request);
    if (maxLag > 0 && this.stats.lagMs > maxLag && !completing)
      return this.refuse('event-loop-lag');
    const limit = completing ? max + Math.ceil(max / 2) : max;
    if (max > 0 && this.pending.size >= limit) {
      this.sweep();
      if (this.pending.size >= limit) return this.refuse('pending-transactions');
    }
    return undefined;
  }

  /** Records a server transaction created for an admitted request. */
  admitted(transaction: ServerTransaction | undefined): void {
    if (!transaction || this.settings.maxPendingServerTransactions <= 0) return;
    this.pending.add(transaction);
    // Keep the set from holding finished transactions for long when far below the limit.
    if (this.pending.size % 256 === 0) this.sweep();
  }

  /** Current number of admitted transactions still without a final response. */
  pendingCount(): number {
    this.sweep(true);
    return this.pending.size;
  }

  private refuse(reason: ShedReason): ShedReason {
    this.stats.shed++;
    this.stats.byReason[reason]++;
    return reason;
  }

  /** Drops answered or terminated transactions (at most every 50 ms unless forced). */
  private sweep(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastSweep < 50) return;
    this.lastSweep = now;
    for (const t of this.pending)
      if (t.hasFinalResponse || t.state === 'Terminated') this.pending.delete(t);
    this.stats.pending = this.pending.size;
  }
}

/** Whether a request carries credentials answering a challenge (a non-empty nonce). */
function answersChallenge(request: SipRequest): boolean {
  const credentials = request.get('Authorization') ?? request.get('Proxy-Authorization');
  return credentials !== undefined && /\bnonce\s*=\s*"[^"]/i.test(credentials);
}
