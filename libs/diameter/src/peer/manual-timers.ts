/**
 * A hand-driven clock for tests of timer logic (watchdog, backoff, timeouts) over real sockets:
 * time moves only when advance() is called.
 */
import type { DiameterTimers } from './timers';

interface Scheduled {
  id: number;
  at: number;
  ms: number;
  fn: () => void;
}

export class ManualTimers implements DiameterTimers {
  private time: number;
  private seq = 0;
  private queue: Scheduled[] = [];
  /** Every delay ever scheduled, in order (for asserting backoff sequences). */
  readonly history: number[] = [];

  constructor(
    start = Date.UTC(2026, 0, 1),
    private readonly rnd: () => number = () => 0.5,
  ) {
    this.time = start;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const t = { id: ++this.seq, at: this.time + ms, ms, fn };
    this.queue.push(t);
    this.history.push(ms);
    return t.id;
  }

  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }

  now(): number {
    return this.time;
  }

  random(): number {
    return this.rnd();
  }

  /** Pending delays, soonest first. */
  pending(): number[] {
    return [...this.queue].sort((a, b) => a.at - b.at).map((t) => t.at - this.time);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.queue
        .filter((t) => t.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.queue = this.queue.filter((t) => t !== due);
      this.time = due.at;
      due.fn();
    }
    this.time = end;
  }
}
