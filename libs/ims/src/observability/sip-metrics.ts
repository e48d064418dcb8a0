/**
 * SIP metrics of one element, read off the wire through the transport layer's tracer hook
 * (`SipStack.transportLayer.addTracer`), so the element's own code is not touched:
 *
 * - `sip_messages_total{direction,kind,transport}`: every message received (`in`) or sent
 *   (`out`), retransmissions included; `kind` is request, response or malformed.
 * - `sip_transactions_total{direction,method,code}`: transactions by their first final
 *   response (RFC 3261 §17: a transaction ends with one final response; retransmissions are not
 *   counted again). `direction="in"`: requests this element received (server transactions,
 *   the code it answered); `out`: requests it sent (client transactions, the code it got).
 *   A transaction with no final response after `horizonMs` counts with `code="none"`.
 * - `sip_transaction_duration_seconds{direction,method}`: request to final response, as seen
 *   at this element's sockets.
 * - `ims_register_outcomes_total{outcome}`: the final responses this element sent to
 *   REGISTER: registered (2xx with a binding left), deregistered (2xx without), challenged
 *   (401/407), rejected (any other final).
 *
 * Requests and responses are paired as RFC 3261 §17.1.3 / §17.2.3 match them: the branch of
 * the top Via and the CSeq method (Call-ID and CSeq number for a branch without the cookie).
 */
import {
  ownString,
  parseMessage,
  type Destination,
  type SipMessage,
  type SipStack,
  type SipTraceDirection,
} from '@lib/sip';
import {
  LATENCY_BUCKETS,
  type Counter,
  type CounterSeries,
  type Histogram,
  type HistogramSeries,
  type MetricsRegistry,
} from './metrics-registry';

export interface SipMetricsOptions {
  /** Wall clock in ms (tests). */
  now?: () => number;
  /** A transaction pending longer than this is counted with code "none" (default 300 s). */
  horizonMs?: number;
}

interface Tracked {
  method: string;
  direction: SipTraceDirection;
  start: number;
  /** The request came over TCP/TLS/WS: no retransmission of it can follow (RFC 3261 §17.1.1.2). */
  reliable: boolean;
  /** When its first final response passed; undefined while the transaction is pending. */
  completedAt?: number;
}

/**
 * Transactions of one direction, by CSeq method, then by key: the top Via branch when it
 * has the magic cookie, else "|Call-ID|CSeq number" (a branch is a token, which has no "|",
 * so the two kinds of key never collide). Two Map levels instead of one joined key string
 * per message.
 */
type ByMethod<T> = Map<string, Map<string, T>>;

type MessageKind = 'request' | 'response' | 'malformed';

/** How long a completed transaction absorbs retransmissions: 64*T1 with T1 = 500 ms, plus slack. */
const COMPLETED_MS = 40_000;

/** RFC 3261 §8.1.1.7 magic cookie. */
const COOKIE = 'z9hG4bK';

export class SipMetrics {
  readonly messages: Counter;
  readonly transactions: Counter;
  readonly duration: Histogram;
  readonly registerOutcomes: Counter;
  /**
   * Transactions by the direction of their request: those awaiting their final response,
   * and those that got it, kept for as long as a retransmission of their request may still
   * arrive (Timer J = 64*T1, RFC 3261 §17.2.2: the server transaction absorbs it and resends
   * the final; neither is a new transaction). One entry per transaction from request to
   * expiry: a request costs one lookup and one insert, a final response one lookup.
   */
  private readonly tracked: Record<SipTraceDirection, ByMethod<Tracked>> = {
    in: new Map(),
    out: new Map(),
  };
  /** Tracked transactions still waiting for their final response. */
  private pendingTransactions = 0;
  /**
   * The series each message lands in, looked up once per label tuple (every message counts
   * in `messages`, every transaction in `transactions` and `duration`).
   */
  private readonly messageSeries: Record<
    SipTraceDirection,
    Record<MessageKind, Map<string, CounterSeries>>
  > = {
    in: { request: new Map(), response: new Map(), malformed: new Map() },
    out: { request: new Map(), response: new Map(), malformed: new Map() },
  };
  /** By direction, CSeq method, status code. */
  private readonly transactionSeries: Record<
    SipTraceDirection,
    Map<string, Map<number, CounterSeries>>
  > = {
    in: new Map(),
    out: new Map(),
  };
  private readonly durationSeries: Record<SipTraceDirection, Map<string, HistogramSeries>> = {
    in: new Map(),
    out: new Map(),
  };
  private readonly now: () => number;
  private readonly horizonMs: number;
  private lastSweep: number;

  constructor(registry: MetricsRegistry, o: SipMetricsOptions = {}) {
    this.now = o.now ?? Date.now;
    this.horizonMs = o.horizonMs ?? 300_000;
    this.lastSweep = this.now();
    this.messages = registry.counter({
      name: 'sip_messages_total',
      help: 'SIP messages received (in) and sent (out), retransmissions included.',
      labelNames: ['direction', 'kind', 'transport'],
    });
    this.transactions = registry.counter({
      name: 'sip_transactions_total',
      help: 'SIP transactions by method and final response code; in: requests received (code sent), out: requests sent (code received).',
      labelNames: ['direction', 'method', 'code'],
    });
    this.duration = registry.histogram({
      name: 'sip_transaction_duration_seconds',
      help: 'SIP request to final response at this element, in seconds.',
      labelNames: ['direction', 'method'],
      buckets: LATENCY_BUCKETS,
    });
    this.registerOutcomes = registry.counter({
      name: 'ims_register_outcomes_total',
      help: 'Final responses this element sent to REGISTER: registered, deregistered, challenged, rejected.',
      labelNames: ['outcome'],
    });
  }

  /** Starts counting the traffic of `stack`; returns a function that stops it. */
  observe(stack: SipStack): () => void {
    return stack.transportLayer.addTracer((direction, data, remote, _local, parsed) =>
      this.onMessage(direction, data, remote, parsed),
    );
  }

  /** One message as the tracer sees it (exported for tests). */
  onMessage(
    direction: SipTraceDirection,
    data: Buffer,
    remote: Destination,
    parsed?: SipMessage,
  ): void {
    if (isKeepAlive(data)) return;
    const transport = remote.transport;
    let message;
    let method: string;
    let key: string;
    try {
      // The transport layer's own parse when it has one: no second parse per message.
      message = parsed ?? parseMessage(data);
      const cseq = message.cseq();
      method = cseq.method;
      const branch = message.topVia().branch;
      key =
        branch !== undefined && branch.startsWith(COOKIE)
          ? branch
          : `|${message.callId()}|${cseq.seq}`;
    } catch {
      this.countMessage(direction, 'malformed', transport);
      return;
    }
    const now = this.now();
    if (message.isRequest()) {
      this.countMessage(direction, 'request', transport);
      // ACK for a 2xx is no transaction; an ACK for a non-2xx belongs to the INVITE's.
      if (message.method === 'ACK') return;
      let tracked = this.tracked[direction].get(method);
      if (tracked === undefined) this.tracked[direction].set(method, (tracked = new Map()));
      if (tracked.get(key) === undefined) {
        // The key outlives the message by up to 40 s: a copy of its own, not a piece of the
        // message text that would keep the whole message alive (ownString).
        tracked.set(ownString(key), {
          method: message.method,
          direction,
          start: now,
          reliable: transport !== 'UDP',
          completedAt: undefined,
        });
        this.pendingTransactions++;
      }
      if (now - this.lastSweep > 10_000) this.sweep(now);
      return;
    }
    this.countMessage(direction, 'response', transport);
    const status = (message as { status: number }).status;
    if (status < 200) return;
    // A response we send answers a request we received, and the other way round.
    const requestDirection: SipTraceDirection = direction === 'out' ? 'in' : 'out';
    const byKey = this.tracked[requestDirection].get(method);
    const p = byKey?.get(key);
    // A retransmitted final, a stateless answer, a stray 2xx.
    if (p === undefined || p.completedAt !== undefined) return;
    // Over a reliable transport the request is never retransmitted (RFC 3261 §17.1.1.2,
    // §17.1.2.2: timers A and E only run over UDP; Timer J is zero, §17.2.2), so there is
    // nothing to absorb: the entry goes now instead of 40 s later. Between the CSCFs, where
    // SIP goes over TCP, that is most entries, which then die young instead of being kept
    // through two scavenges and promoted.
    if (p.reliable) byKey!.delete(key);
    else p.completedAt = now;
    this.pendingTransactions--;
    this.transactionSeriesOf(requestDirection, p.method, status).inc();
    let duration = this.durationSeries[requestDirection].get(p.method);
    if (duration === undefined) {
      duration = this.duration.labels({ direction: requestDirection, method: p.method });
      this.durationSeries[requestDirection].set(p.method, duration);
    }
    duration.observe((now - p.start) / 1000);
    if (requestDirection === 'in' && p.method === 'REGISTER') {
      this.registerOutcomes.inc({ outcome: registerOutcome(status, message) });
    }
  }

  /** Counts transactions that never got a final response, and forgets them. */
  sweep(now = this.now()): void {
    this.lastSweep = now;
    for (const byMethod of [this.tracked.in, this.tracked.out]) {
      for (const [method, tracked] of byMethod) {
        for (const [k, p] of tracked) {
          if (p.completedAt !== undefined) {
            if (now - p.completedAt >= COMPLETED_MS) tracked.delete(k);
            continue;
          }
          if (now - p.start < this.horizonMs) continue;
          tracked.delete(k);
          this.pendingTransactions--;
          this.transactions.inc({ direction: p.direction, method: p.method, code: 'none' });
        }
        if (tracked.size === 0) byMethod.delete(method);
      }
    }
  }

  /** Transactions waiting for a final response (diagnostics). */
  get pendingCount(): number {
    return this.pendingTransactions;
  }

  /** Entries held: pending transactions and completed ones still absorbing retransmissions. */
  get trackedCount(): number {
    let n = 0;
    for (const byMethod of [this.tracked.in, this.tracked.out])
      for (const tracked of byMethod.values()) n += tracked.size;
    return n;
  }

  private countMessage(direction: SipTraceDirection, kind: MessageKind, transport: string): void {
    const byTransport = this.messageSeries[direction][kind];
    let series = byTransport.get(transport);
    if (series === undefined) {
      series = this.messages.labels({ direction, kind, transport });
      byTransport.set(transport, series);
    }
    series.inc();
  }

  private transactionSeriesOf(
    direction: SipTraceDirection,
    method: string,
    status: number,
  ): CounterSeries {
    let byStatus = this.transactionSeries[direction].get(method);
    if (byStatus === undefined)
      this.transactionSeries[direction].set(method, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (series === undefined) {
      series = this.transactions.labels({ direction, method, code: String(status) });
      byStatus.set(status, series);
    }
    return series;
  }
}

/** CRLF keep-alives (RFC 5626 §3.5.1) are no messages. */
function isKeepAlive(data: Buffer): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0x0d && data[i] !== 0x0a) return false;
  return true;
}

/**
 * What a final response to REGISTER means (RFC 3261 §10.3: the 200 lists every current
 * binding, each with its expires; none left means de-registered).
 */
function registerOutcome(
  status: number,
  response: ReturnType<typeof parseMessage>,
): 'registered' | 'deregistered' | 'challenged' | 'rejected' {
  if (status === 401 || status === 407) return 'challenged';
  if (status >= 300) return 'rejected';
  try {
    const headerExpires = response.expires();
    const active = response
      .contacts()
      .some((c) => !c.star && (c.expires ?? headerExpires ?? 3600) > 0);
    return active ? 'registered' : 'deregistered';
  } catch {
    return 'registered';
  }
}
