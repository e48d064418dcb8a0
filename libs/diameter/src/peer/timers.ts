/**
 * The clock and timers of a Diameter node. Injected so that the watchdog (RFC 3539), the
 * reconnect backoff and request timeouts run on a fake clock in tests; the default uses the
 * global timers (looked up at call time, so Jest fake timers also apply).
 */
export interface DiameterTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Uniform in [0, 1): the jitter of Tw. */
  random(): number;
}

export const systemTimers: DiameterTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
  random: () => Math.random(),
};

/** A one-shot timer slot that is cleared before being set again. */
export class TimerSlot {
  private handle: unknown;
  constructor(private readonly timers: DiameterTimers) {}

  set(ms: number, fn: () => void): void {
    this.clear();
    this.handle = this.timers.setTimeout(() => {
      this.handle = undefined;
      fn();
    }, ms);
  }

  clear(): void {
    if (this.handle !== undefined) this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  get active(): boolean {
    return this.handle !== undefined;
  }
}
