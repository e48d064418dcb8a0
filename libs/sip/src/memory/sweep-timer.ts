/**
 * One timer for many expiries (registrations, subscriptions): instead of a `setTimeout` per
 * entry (a Timeout object, its closure and context: about 250 bytes each, kept for the whole
 * life of the entry), a store keeps each entry's absolute expiry, asks this timer to run its
 * sweep at the earliest one, and the sweep removes what is due and asks again for the next.
 * Sweeps are at least `minGapMs` apart, so entries expiring one after another cost one pass
 * over the store per gap, not one per entry; an entry may so outlive its expiry by up to
 * `minGapMs`.
 */
export class SweepTimer {
  private timer?: ReturnType<typeof setTimeout>;
  private nextAt = Infinity;
  private lastSweep = -Infinity;

  /**
   * @param sweep removes the due entries and calls `schedule` with the next expiry left.
   * @param minGapMs least time between two sweeps.
   * @param now the clock (Date.now; jest fake timers drive it too).
   */
  constructor(
    private readonly sweep: () => void,
    private readonly minGapMs = 1000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Makes sure a sweep runs at `at` (epoch ms) or, at most `minGapMs` after the last one, soon after. */
  schedule(at: number): void {
    if (!Number.isFinite(at)) return;
    const when = Math.max(at, this.lastSweep + this.minGapMs);
    if (this.timer && when >= this.nextAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.nextAt = when;
    // setTimeout's limit: a longer delay would fire at once; the sweep re-arms.
    const delay = Math.min(Math.max(0, when - this.now()), 0x7fffffff);
    this.timer = setTimeout(() => this.fire(), delay);
    this.timer.unref?.();
  }

  /** Stops the timer (shutdown). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.nextAt = Infinity;
  }

  private fire(): void {
    this.timer = undefined;
    this.nextAt = Infinity;
    this.lastSweep = this.now();
    this.sweep();
  }
}
