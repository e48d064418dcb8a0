import { AkaError } from './aka-error';
import { BytesLike, toBytes } from './bytes';

/**
 * Sequence numbers, 3GPP TS 33.102 Annex C ("Management of sequence numbers").
 *
 * C.1.1: "SQN = SEQ ‖ IND", where IND is the least significant part (an index into the
 * USIM's array of accepted SEQ values) and SEQ the most significant part. C.3.1 recommends
 * an IND of 5 bits, which is our default.
 */

/** Length in bits of IND (TS 33.102 C.3.1: "the length of IND is 5 bits"). */
export const DEFAULT_IND_LENGTH = 5;

/**
 * Δ of TS 33.102 C.2.1: the USIM rejects an SQN whose SEQ runs ahead of SEQ_MS by more than
 * Δ, which protects the 43-bit SEQ against wrap-around. C.3.3 suggests Δ = 2^28.
 */
export const DEFAULT_DELTA = 1n << 28n;

const SQN_BITS = 48n;
const SQN_MAX = (1n << SQN_BITS) - 1n;

/** The two parts of an SQN (TS 33.102 C.1.1). */
export interface SqnParts {
  seq: bigint;
  ind: number;
}

/** SQN as a 48-bit integer. */
export function sqnToBigInt(sqn: BytesLike): bigint {
  return BigInt('0x' + toBytes(sqn, 'SQN', 6).toString('hex'));
}

/** A 48-bit integer as the 6-octet SQN. */
export function sqnFromBigInt(value: bigint): Buffer {
  if (value < 0n || value > SQN_MAX) throw new AkaError('SQN', 'is outside 0 .. 2^48-1');
  return Buffer.from(value.toString(16).padStart(12, '0'), 'hex');
}

function checkIndLength(indLength: number): bigint {
  if (!Number.isInteger(indLength) || indLength < 0 || indLength > 16) {
    throw new AkaError('IND length', 'must be an integer 0..16');
  }
  return BigInt(indLength);
}

/** Splits SQN into SEQ ‖ IND (TS 33.102 C.1.1). */
export function splitSqn(sqn: BytesLike, indLength = DEFAULT_IND_LENGTH): SqnParts {
  const bits = checkIndLength(indLength);
  const n = sqnToBigInt(sqn);
  return { seq: n >> bits, ind: Number(n & ((1n << bits) - 1n)) };
}

/** Joins SEQ ‖ IND into the 6-octet SQN. */
export function joinSqn(parts: SqnParts, indLength = DEFAULT_IND_LENGTH): Buffer {
  const bits = checkIndLength(indLength);
  if (!Number.isInteger(parts.ind) || parts.ind < 0 || parts.ind >= 1 << indLength) {
    throw new AkaError('IND', `must be an integer 0..${(1 << indLength) - 1}`);
  }
  if (parts.seq < 0n || parts.seq > SQN_MAX >> bits) throw new AkaError('SEQ', 'is out of range');
  return sqnFromBigInt((parts.seq << bits) | BigInt(parts.ind));
}

/** Options of {@link nextSqn}. */
export interface NextSqnOptions {
  indLength?: number;
  /**
   * The IND of the new SQN (TS 33.102 C.1.2: the HE allocates IND values, e.g. one per
   * serving node or cyclically). By default the IND of the previous SQN is kept.
   */
  ind?: number;
}

/**
 * The next SQN the HE/AuC hands out: SEQ_HE is incremented so that no SQN is ever reused
 * (TS 33.102 C.1.1.2 "SEQ = SEQ_HE + 1 ... the counter SEQ_HE is updated to SEQ"), IND as
 * chosen by the caller. Raises an {@link AkaError} when SEQ would overflow.
 */
export function nextSqn(sqn: BytesLike, options: NextSqnOptions = {}): Buffer {
  const indLength = options.indLength ?? DEFAULT_IND_LENGTH;
  const { seq, ind } = splitSqn(sqn, indLength);
  const maxSeq = SQN_MAX >> BigInt(indLength);
  if (seq >= maxSeq) throw new AkaError('SQN', 'SEQ is exhausted (wrap-around is not allowed)');
  return joinSqn({ seq: seq + 1n, ind: options.ind ?? ind }, indLength);
}

/** Why a USIM refused an SQN (TS 33.102 C.2.2). */
export type SqnFreshness = 'fresh' | 'not-fresh' | 'out-of-range';

/** Options of {@link checkSqnFreshness}. */
export interface SqnFreshnessOptions {
  indLength?: number;
  /** Δ of TS 33.102 C.2.1 (default 2^28): the largest allowed step of SEQ ahead of SEQ_MS. */
  delta?: bigint;
}

/**
 * The USIM's freshness check of a received SQN against SQN_MS, the highest SQN it has
 * accepted so far (TS 33.102 §6.3.3 "the USIM verifies that SQN is in the correct range",
 * Annex C.2.1/C.2.2): accepted only if SEQ > SEQ_MS ("not-fresh" otherwise, a replay) and
 * SEQ − SEQ_MS ≤ Δ ("out-of-range" otherwise). Either failure makes the UE answer with a
 * synchronisation failure (AUTS).
 */
export function checkSqnFreshness(
  sqn: BytesLike,
  sqnMs: BytesLike,
  options: SqnFreshnessOptions = {},
): SqnFreshness {
  const indLength = options.indLength ?? DEFAULT_IND_LENGTH;
  const delta = options.delta ?? DEFAULT_DELTA;
  const seq = splitSqn(sqn, indLength).seq;
  const seqMs = splitSqn(toBytes(sqnMs, 'SQN_MS', 6), indLength).seq;
  if (seq <= seqMs) return 'not-fresh';
  if (seq - seqMs > delta) return 'out-of-range';
  return 'fresh';
}

/** `checkSqnFreshness(...) === 'fresh'`. */
export function isSqnFresh(
  sqn: BytesLike,
  sqnMs: BytesLike,
  options: SqnFreshnessOptions = {},
): boolean {
  return checkSqnFreshness(sqn, sqnMs, options) === 'fresh';
}
