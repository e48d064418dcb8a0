/**
 * The S-CSCF's memory of the challenges it issued (TS 24.229 §5.4.1.2.1: "store the RAND
 * ... XRES ... for the next REGISTER"): per nonce the authentication vector or HA1 from the
 * MAA, when it was issued (RFC 2617 §3.2.1 `stale`) and the highest nonce-count accepted
 * (RFC 2617 §3.2.2: "if the same nc-value is seen twice, then the request is a replay").
 */
import { formatNonceCount, ownString } from '@lib/sip';
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
  private purgeTimer?: ReturnType<typeof setInterval>;

  constructor(private readonly opts: NonceStoreOptions) {
    this.now = opts.now ?? (() => Date.now());
  }

  /**
   * Remembers a challenge as issued now. The entry owns its strings and key octets: the
   * values handed in are usually cut from the REGISTER text and the MAA's buffer, which a
   * stored reference would keep alive as long as the nonce (see ownString).
   */
  issue(entry: Omit<IssuedChallenge, 'issuedAt' | 'lastNc'>): IssuedChallenge {
    this.purge();
    this.startPurging();
    const [rand, xres, ck, ik] = ownBuffers(entry.rand, entry.xres, entry.ck, entry.ik);
    // One literal with every field in one order: all entries share one hidden class (a spread
    // of the argument gave each entry a map of its own, 380 bytes, in the heap snapshots).
    const stored: IssuedChallenge = {
      nonce: ownString(entry.nonce),
      impi: ownString(entry.impi),
      impu: ownString(entry.impu),
      cxScheme: ownString(entry.cxScheme),
      algorithm: entry.algorithm,
      family: entry.family,
      realm: ownString(entry.realm),
      qop: entry.qop,
      rand,
      xres,
      ck,
      ik,
      ha1: ownString(entry.ha1),
      issuedAt: this.now(),
      lastNc: 0,
    };
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
    // Answered: RAND (for a resync, TS 33.203 §6.3.3, which only precedes success; the
    // nonce carries it too) is not needed any more, nor, for AKAv1, CK and IK (sent to the
    // P-CSCF with the 401, TS 24.229 §5.4.1.2.1). XRES stays to check a request that reuses
    // the nonce with a higher nc; AKAv2 also keeps CK and IK, its password (RFC 4169 §4).
    entry.rand = undefined;
    if (entry.family === 'aka' && /^akav1-/i.test(entry.algorithm)) {
      entry.ck = undefined;
      entry.ik = undefined;
    }
    return true;
  }

  /**
   * Purges every `lifetimeMs` on an unref'd timer (until `stop`), from the first issue on:
   * otherwise nonces would only be dropped when a new challenge is issued.
   */
  startPurging(): void {
    if (this.purgeTimer) return;
    this.purgeTimer = setInterval(() => this.purge(), this.opts.lifetimeMs);
    this.purgeTimer.unref?.();
  }

  stop(): void {
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.purgeTimer = undefined;
  }

  forget(nonce: string): void {
    this.entries.delete(nonce);
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Drops nonces well past their lifetime (a stale one is kept a while to answer stale=true).
   * Run on each issue and by `startPurging`'s timer, so a quiet S-CSCF does not keep the
   * challenges of a past burst of registrations.
   */
  purge(): void {
    const limit = this.now() - 4 * this.opts.lifetimeMs;
    for (const [nonce, e] of this.entries) {
      if (e.issuedAt >= limit) break;
      this.entries.delete(nonce);
    }
  }
}

/**
 * Copies of the key octets in one allocation of their own (Buffer.from would take them from
 * Node's shared 8 KB pool, and a stored slice keeps a whole pool slab alive).
 */
function ownBuffers(...parts: (Buffer | undefined)[]): (Buffer | undefined)[] {
  const total = parts.reduce((n, p) => n + (p?.length ?? 0), 0);
  if (total === 0) return parts;
  const block = Buffer.allocUnsafeSlow(total);
  let at = 0;
  return parts.map((p) => {
    if (!p) return undefined;
    p.copy(block, at);
    at += p.length;
    return block.subarray(at - p.length, at);
  });
}
