/**
 * The S-CSCF's memory of the challenges it issued (TS 24.229 §5.4.1.2.1: "store the RAND
 * ... XRES ... for the next REGISTER"): per nonce the authentication vector or HA1 from the
 * MAA, when it was issued (RFC 2617 §3.2.1 `stale`) and the highest nonce-count accepted
 * (RFC 2617 §3.2.2: "if the same nc-value is seen twice, then the request is a replay").
 */
import { formatNonceCount } from '@lib/sip';
import { SchemeFamily } from './auth-scheme';

export interface IssuedChallenge {
  nonce: string;
  impi: string;
  impu: string;
  /** SIP-Authentication-Scheme of the MAA item (asked again in a resync MAR). */
  cxScheme: string;
  /** Digest `algorithm`: AKAv1-MD5, AKAv2-MD5 or MD5. */
  algorithm: string;
  family: SchemeFamily;
  realm: string;
  qop?: string;
  /** AKA: RAND, XRES, CK, IK of the vector (TS 33.203 §6.1). */
  rand?: Buffer;
  xres?: Buffer;
  ck?: Buffer;
  ik?: Buffer;
  /** SIP Digest: H(A1) from SIP-Digest-Authenticate (TS 29.229 §6.3.36). */
  ha1?: string;
  issuedAt: number;
  /** Highest nc accepted (0: none yet). */
  lastNc: number;
}

export type NonceLookup =
  | { kind: 'fresh'; entry: IssuedChallenge }
  | { kind: 'stale'; entry: IssuedChallenge }
  | { kind: 'unknown' };

export interface NonceStoreOptions {
  /** How long a nonce may be answered, ms. */
  lifetimeMs: number;
  /** Most nonces remembered (oldest forgotten first). */
  maxEntries?: number;
  now?: () => number;
}

export class NonceStore {
  private readonly entries = new Map<string, IssuedChallenge>();
  private readonly now: () => number;

  constructor(private readonly opts: NonceStoreOptions) {
    this.now = opts.now ?? (() => Date.now());
  }

  /** Remembers a challenge as issued now. */
  issue(entry: Omit<IssuedChallenge, 'issuedAt' | 'lastNc'>): IssuedChallenge {
    this.purge();
    const stored: IssuedChallenge = { ...entry, issuedAt: this.now(), lastNc: 0 };
    this.entries.delete(entry.nonce);
    this.entries.set(entry.nonce, stored);
    const max = this.opts.maxEntries ?? 100_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value!);
    return stored;
  }

  lookup(nonce: string): NonceLookup {
    const entry = this.entries.get(nonce);
    if (!entry) return { kind: 'unknown' };
    return this.now() - entry.issuedAt < this.opts.lifetimeMs
      ? { kind: 'fresh', entry }
      : { kind: 'stale', entry };
  }

  /**
   * Accepts `nc` when it is greater than every nc accepted for the nonce and records it.
   * Without qop (no nc) a nonce is good for one request only. A malformed nc is refused.
   */
  acceptNonceCount(entry: IssuedChallenge, nc: string | undefined): boolean {
    let value: number;
    if (nc === undefined) {
      value = 1;
    } else {
      try {
        value = parseInt(formatNonceCount(nc), 16);
      } catch {
        return false;
      }
    }
    if (value <= entry.lastNc) return false;
    entry.lastNc = value;
    return true;
  }

  forget(nonce: string): void {
    this.entries.delete(nonce);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops nonces well past their lifetime (a stale one is kept a while to answer stale=true). */
  private purge(): void {
    const limit = this.now() - 4 * this.opts.lifetimeMs;
    for (const [nonce, e] of this.entries) {
      if (e.issuedAt >= limit) break;
      this.entries.delete(nonce);
    }
  }
}
