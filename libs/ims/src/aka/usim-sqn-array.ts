import { AkaError } from './aka-error';
import { BytesLike, toBytes } from './bytes';
import { DEFAULT_DELTA, DEFAULT_IND_LENGTH, joinSqn, splitSqn, SqnFreshness } from './sqn';

/** Options of {@link UsimSqnArray}. */
export interface UsimSqnArrayOptions {
  /** Length of IND in bits (default 5, i.e. an array of 32 SEQ_MS values). */
  indLength?: number;
  /** Δ of TS 33.102 C.2.1 (default 2^28). */
  delta?: bigint;
  /**
   * L of TS 33.102 C.2.2 (optional age limit): an SQN is also rejected when
   * SEQ_MS − SEQ ≥ L, SEQ_MS being the highest SEQ accepted in any slot.
   */
  ageLimit?: bigint;
}

/**
 * The USIM's sequence number store of TS 33.102 Annex C.2.2: "an array of a SEQ_MS values
 * ... indexed by IND". A received SQN = SEQ ‖ IND is accepted only when SEQ > SEQ_MS(IND)
 * (and, C.2.1, SEQ − SEQ_MS ≤ Δ against the highest accepted SEQ; optionally, the age
 * limit L). This lets vectors that were issued with different IND values be used out of
 * order, which the single-counter check of {@link checkSqnFreshness} refuses.
 */
export class UsimSqnArray {
  private readonly seqMs: bigint[];
  private readonly indLength: number;
  private readonly delta: bigint;
  private readonly ageLimit?: bigint;
  /** The SQN with the highest SEQ accepted so far (sent in AUTS as SQN_MS). */
  private highestSqn: Buffer = Buffer.alloc(6);

  constructor(options: UsimSqnArrayOptions = {}) {
    this.indLength = options.indLength ?? DEFAULT_IND_LENGTH;
    if (!Number.isInteger(this.indLength) || this.indLength < 0 || this.indLength > 10) {
      throw new AkaError('IND length', 'must be an integer 0..10 for a USIM array');
    }
    this.delta = options.delta ?? DEFAULT_DELTA;
    this.ageLimit = options.ageLimit;
    this.seqMs = new Array<bigint>(1 << this.indLength).fill(0n);
  }

  /** SQN_MS for re-synchronisation: the highest SQN accepted (C.3.4 / §6.3.5). */
  get sqnMs(): Buffer {
    return Buffer.from(this.highestSqn);
  }

  private highestSeq(): bigint {
    return splitSqn(this.highestSqn, this.indLength).seq;
  }

  /** Checks a received SQN without changing the array. */
  check(sqn: BytesLike): SqnFreshness {
    const { seq, ind } = splitSqn(toBytes(sqn, 'SQN', 6), this.indLength);
    const highest = this.highestSeq();
    if (seq <= this.seqMs[ind]) return 'not-fresh';
    if (this.ageLimit !== undefined && highest - seq >= this.ageLimit) return 'not-fresh';
    if (seq - highest > this.delta) return 'out-of-range';
    return 'fresh';
  }

  /**
   * Records an accepted SQN: SEQ_MS(IND) := SEQ (C.2.2 "the USIM shall set SEQ_MS(i) to
   * SEQ"). Raises an AkaError when the SQN is not fresh.
   */
  accept(sqn: BytesLike): void {
    const s = toBytes(sqn, 'SQN', 6);
    const verdict = this.check(s);
    if (verdict !== 'fresh') throw new AkaError('SQN', `cannot be accepted: ${verdict}`);
    const { seq, ind } = splitSqn(s, this.indLength);
    this.seqMs[ind] = seq;
    if (seq > this.highestSeq()) this.highestSqn = joinSqn({ seq, ind }, this.indLength);
  }
}
