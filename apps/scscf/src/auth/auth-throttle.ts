/**
 * Throttling of repeated authentication failures per IMPI at the S-CSCF.
 *
 * Every challenge costs a MAR and an authentication vector (an SQN step) in the HSS, and
 * every answer is a guess at the subscriber's secret. TS 33.203 §6.1 leaves the reaction to
 * failed authentications to the operator; this is ours: after `maxFailures` wrong responses
 * (TS 24.229 §5.4.1.2.3, the response does not match XRES / HA1: not a stale nonce, not a
 * replayed nonce-count, not a resynchronisation) for one IMPI within `windowMs`, every
 * REGISTER of that IMPI is refused with 403 without asking the HSS until `backoffMs` have
 * passed. A successful authentication clears the IMPI's record.
 *
 * Memory is bounded: at most `maxEntries` IMPIs are tracked; a full table first drops the
 * records whose window and back-off are over, then the least recently failed one.
 */

export interface AuthThrottleOptions {
  /** Failures within the window that start a back-off; 0 turns throttling off. */
  maxFailures: number;
  windowMs: number;
  backoffMs: number;
  maxEntries: number;
  now?: () => number;
}

interface FailureRecord {
  /** When the first failure of the current window happened. */
  windowStart: number;
  failures: number;
  /** End of the back-off, or 0 when not blocked. */
  blockedUntil: number;
}

export class AuthThrottle {
  private readonly entries = new Map<string, FailureRecord>();
  private readonly now: () => number;

  constructor(private readonly options: AuthThrottleOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.maxFailures > 0;
  }

  /** IMPIs currently tracked (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** Milliseconds of back-off left for `impi`, or 0 when it may authenticate. */
  blockedFor(impi: string): number {
    if (!this.enabled) return 0;
    const key = impi.toLowerCase();
    const r = this.entries.get(key);
    if (!r) return 0;
    const now = this.now();
    if (r.blockedUntil > now) return r.blockedUntil - now;
    if (this.isOver(r, now)) this.entries.delete(key);
    return 0;
  }

  /** A wrong response from `impi`; true when this failure starts a back-off. */
  failed(impi: string): boolean {
    if (!this.enabled) return false;
    const key = impi.toLowerCase();
    const now = this.now();
    let r = this.entries.get(key);
    if (r && this.isOver(r, now)) r = undefined;
    if (!r) r = { windowStart: now, failures: 0, blockedUntil: 0 };
    r.failures++;
    this.entries.delete(key); // re-inserted last: Map order is least recently failed first
    this.makeRoom(now);
    this.entries.set(key, r);
    if (r.failures >= this.options.maxFailures && r.blockedUntil <= now) {
      r.blockedUntil = now + this.options.backoffMs;
      // A new window starts after the back-off: the next failure does not block at once.
      r.windowStart = r.blockedUntil;
      r.failures = 0;
      return true;
    }
    return false;
  }

  /** A successful authentication of `impi`: its record goes. */
  succeeded(impi: string): void {
    this.entries.delete(impi.toLowerCase());
  }

  /** The window and any back-off of a record are over: it can be forgotten. */
  private isOver(r: FailureRecord, now: number): boolean {
    return r.blockedUntil <= now && now - r.windowStart >= this.options.windowMs;
  }

  private makeRoom(now: number): void {
    if (this.entries.size < this.options.maxEntries) return;
    for (const [key, r] of this.entries) {
      if (this.isOver(r, now)) this.entries.delete(key);
    }
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
