import { randomBytes } from 'node:crypto';
import { DigestError } from './digest-error';

/** Outcome of {@link NonceCounter.check}. */
export type NonceCountResult = 'ok' | 'replay' | 'unknown-nonce' | 'stale';

/** Options of {@link NonceCounter}. */
export interface NonceCounterOptions {
  /** How long an issued nonce stays valid, in ms (then `stale`, RFC 2617 §3.2.1 "stale"). */
  lifetimeMs?: number;
  /** The most nonces remembered; the oldest are forgotten first. */
  maxNonces?: number;
  /** The clock (ms); injected so tests need no real time. */
  now?: () => number;
}

interface Entry {
  issuedAt: number;
  /** The highest nc accepted so far (0 = none yet). */
  lastNc: number;
}

/**
 * Server-side nonce bookkeeping for replay protection, RFC 2617 §3.2.2: "The purpose of
 * this directive [nc] is to allow the server to detect request replays by maintaining its
 * own copy of this count - if the same nc-value is seen twice, then the request is a
 * replay." We accept a nonce's nc values only in strictly increasing order.
 */
export class NonceCounter {
  private readonly entries = new Map<string, Entry>();
  private readonly lifetimeMs: number;
  private readonly maxNonces: number;
  private readonly now: () => number;

  constructor(options: NonceCounterOptions = {}) {
    this.lifetimeMs = options.lifetimeMs ?? 300_000;
    this.maxNonces = options.maxNonces ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Remembers `nonce` (a fresh random one when omitted) as issued now and returns it. */
  issue(nonce: string = randomBytes(16).toString('base64')): string {
    this.entries.delete(nonce);
    this.entries.set(nonce, { issuedAt: this.now(), lastNc: 0 });
    while (this.entries.size > this.maxNonces) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    return nonce;
  }

  /** Whether `nonce` was issued and has not been forgotten or expired. */
  has(nonce: string): boolean {
    const e = this.entries.get(nonce);
    return e !== undefined && this.now() - e.issuedAt < this.lifetimeMs;
  }

  /**
   * Checks an nc for `nonce` and, when it is larger than every nc seen so far, records it.
   * `nc` is the 8-hex-digit nc-value or a number; a malformed nc raises a DigestError.
   */
  check(nonce: string, nc: string | number): NonceCountResult {
    const value = parseNc(nc);
    const e = this.entries.get(nonce);
    if (e === undefined) return 'unknown-nonce';
    if (this.now() - e.issuedAt >= this.lifetimeMs) return 'stale';
    if (value <= e.lastNc) return 'replay';
    e.lastNc = value;
    return 'ok';
  }

  /** Forgets a nonce (e.g. after a successful one-time AKA authentication). */
  forget(nonce: string): void {
    this.entries.delete(nonce);
  }

  /** The number of nonces remembered. */
  get size(): number {
    return this.entries.size;
  }
}

function parseNc(nc: string | number): number {
  if (typeof nc === 'number') {
    if (!Number.isInteger(nc) || nc < 1 || nc > 0xffffffff) {
      throw new DigestError('nc', 'must be an integer 1..ffffffff');
    }
    return nc;
  }
  if (!/^[0-9a-fA-F]{8}$/.test(nc)) throw new DigestError('nc', 'must be 8 hex digits');
  const v = parseInt(nc, 16);
  if (v === 0) throw new DigestError('nc', 'must not be 00000000');
  return v;
}
