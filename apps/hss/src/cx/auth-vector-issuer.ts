import {
  AuthVector,
  generateAuthVector,
  nextSqn,
  sqnFromBigInt,
  sqnToBigInt,
  verifyAuts,
} from '@lib/ims';
import type { ImpiRecord } from './cx-store';

/** Where SQN_HE lives: read it, and compare-and-set it in one atomic statement. */
export interface SqnStore {
  readSqn(impiId: number): Promise<number>;
  compareAndSetSqn(impiId: number, expected: number, next: number): Promise<boolean>;
}

/** A batch of vectors and the SQN_HE range that was consumed for them. */
export interface IssuedVectors {
  vectors: (AuthVector & { sqn: Buffer })[];
  /** SQN_HE before and after (persisted before the vectors are returned). */
  previousSqn: number;
  sqn: number;
}

/** Why a resynchronisation was refused. */
export class ResyncRejected extends Error {}

/** Attempts of the compare-and-set loop before giving up (only contention can need more than one). */
const CAS_ATTEMPTS = 8;

/**
 * The HE/AuC of TS 33.102 §6.3.2 for the HSS: generates authentication vectors with SQN_HE
 * advanced ATOMICALLY and PERSISTED before any vector leaves the HSS, and performs the
 * re-synchronisation of §6.3.5.
 *
 * Why: TS 33.102 Annex C.1.1.2 "SEQ_HE is updated to SEQ" for every vector; a vector whose SQN
 * was handed out twice (e.g. after a crash between answering and writing) would let an
 * attacker replay it. So SQN is reserved first — read, compute the next `n` values, one
 * conditional UPDATE (`... WHERE sqn = <read value>`) — and only then are vectors computed.
 * Concurrent MARs for one IMPI are additionally serialised in-process (`lock`) so the
 * conditional UPDATE normally succeeds first time; across processes the CAS alone is enough.
 */
export class AuthVectorIssuer {
  private readonly locks = new Map<number, Promise<unknown>>();

  constructor(private readonly store: SqnStore) {}

  /** Issues `count` vectors for `impi`, SQN_HE advancing once per vector. */
  issue(impi: ImpiRecord, count: number): Promise<IssuedVectors> {
    return this.lock(impi.id, async () => {
      let current = impi.sqn;
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const sqns = this.sqnSequence(current, count);
        const last = Number(sqnToBigInt(sqns[sqns.length - 1]));
        if (await this.store.compareAndSetSqn(impi.id, current, last)) {
          return { vectors: this.vectors(impi, sqns), previousSqn: current, sqn: last };
        }
        current = await this.store.readSqn(impi.id);
      }
      throw new Error(`SQN of ${impi.impi} is contended, gave up after ${CAS_ATTEMPTS} attempts`);
    });
  }

  /**
   * Re-synchronisation (TS 33.102 §6.3.5): RAND ‖ AUTS from SIP-Authorization (TS 29.229
   * §6.3.11). MAC-S is verified with f1*; on success "SQN_HE is reset to SQN_MS" and fresh
   * vectors follow SQN_MS. A bad MAC-S leaves SQN_HE unchanged and raises ResyncRejected.
   */
  resync(
    impi: ImpiRecord,
    randAuts: Buffer,
    count: number,
  ): Promise<IssuedVectors & { sqnMs: number }> {
    if (randAuts.length !== 30) {
      return Promise.reject(
        new ResyncRejected(`SIP-Authorization is ${randAuts.length} octets, RAND||AUTS needs 30`),
      );
    }
    const verified = verifyAuts({
      k: impi.k!,
      opc: impi.opc!,
      rand: randAuts.subarray(0, 16),
      auts: randAuts.subarray(16, 30),
    });
    if (!verified) return Promise.reject(new ResyncRejected('MAC-S of AUTS does not verify'));
    const sqnMs = Number(sqnToBigInt(verified.sqnMs));
    return this.lock(impi.id, async () => {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const current = await this.store.readSqn(impi.id);
        const sqns = this.sqnSequence(sqnMs, count);
        const last = Number(sqnToBigInt(sqns[sqns.length - 1]));
        if (await this.store.compareAndSetSqn(impi.id, current, last)) {
          return { vectors: this.vectors(impi, sqns), previousSqn: current, sqn: last, sqnMs };
        }
      }
      throw new Error(`SQN of ${impi.impi} is contended, gave up after ${CAS_ATTEMPTS} attempts`);
    });
  }

  /** The `count` SQNs following `from`, each by TS 33.102 C.1.1.2 (SEQ + 1, IND kept). */
  private sqnSequence(from: number, count: number): Buffer[] {
    const out: Buffer[] = [];
    let sqn = sqnFromBigInt(BigInt(from));
    for (let i = 0; i < count; i++) {
      sqn = nextSqn(sqn);
      out.push(sqn);
    }
    return out;
  }

  private vectors(impi: ImpiRecord, sqns: Buffer[]): (AuthVector & { sqn: Buffer })[] {
    return sqns.map((sqn) => ({
      ...generateAuthVector({ k: impi.k!, opc: impi.opc!, amf: impi.amf, sqn }),
      sqn,
    }));
  }

  private lock<T>(key: number, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return run;
  }
}
