/**
 * Keeps a warning that anybody on the network can trigger (a refused REGISTER, an HSS error
 * behind every registration) visible without letting a flood of them fill the log: the first
 * event of a key is logged, the next ones within `windowMs` are only counted, and the first
 * event after the window is logged with that count.
 *
 *   const line = limiter.take(sourceHost);
 *   if (line !== undefined) logger.warn(`refused ...${line}`);
 */
export class LogLimiter {
  private readonly keys = new Map<string, { since: number; suppressed: number }>();

  constructor(
    private readonly windowMs = 60_000,
    /** Keys remembered at most; beyond it the oldest is forgotten (and logs again). */
    private readonly maxKeys = 1024,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Undefined when this event is only counted; otherwise the suffix to append to its log line:
   * '' or ' (N more in the last S s not logged)'.
   */
  take(key: string): string | undefined {
    const t = this.now();
    const entry = this.keys.get(key);
    if (entry !== undefined && t - entry.since < this.windowMs) {
      entry.suppressed++;
      return undefined;
    }
    const suppressed = entry?.suppressed ?? 0;
    if (entry !== undefined) this.keys.delete(key);
    else if (this.keys.size >= this.maxKeys) {
      const oldest = this.keys.keys().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    this.keys.set(key, { since: t, suppressed: 0 });
    if (suppressed === 0) return '';
    return ` (${suppressed} more in the last ${Math.round((t - entry!.since) / 1000)} s not logged)`;
  }
}
