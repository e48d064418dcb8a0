import type { SipMessage } from '@lib/sip';

/** One message as the UE saw it: the raw text and a one-line summary for ladder diagrams. */
export interface UeTraceEntry {
  direction: 'out' | 'in';
  /** Milliseconds since the trace started. */
  at: number;
  /** `REGISTER`, `401 Unauthorized`... */
  summary: string;
  text: string;
}

/**
 * The messages a UE sent and received, in order, as the UE's core handled them: what it sent
 * (with the Via the transport layer wrote) and what reached it. Transaction-layer work below
 * it is not repeated here: retransmissions of its own requests and responses, and the 100
 * Trying an INVITE server transaction sends by itself (RFC 3261 §17.2.1). A retransmitted 2xx
 * that reaches the UE, and the ACK it re-sends for it, are in it.
 */
export class UeTrace {
  readonly entries: UeTraceEntry[] = [];
  private readonly started = Date.now();

  out(message: SipMessage): void {
    this.add('out', message);
  }

  in(message: SipMessage): void {
    this.add('in', message);
  }

  /** Summaries only, e.g. `> REGISTER`, `< 401 Unauthorized`. */
  summaries(): string[] {
    return this.entries.map((e) => `${e.direction === 'out' ? '>' : '<'} ${e.summary}`);
  }

  private add(direction: 'out' | 'in', message: SipMessage): void {
    const summary = message.isRequest() ? message.method : `${message.status} ${message.reason}`;
    this.entries.push({
      direction,
      at: Date.now() - this.started,
      summary,
      text: message.toString(),
    });
  }
}
