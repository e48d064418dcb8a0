import { timingSafeEqual } from 'node:crypto';
import { BytesLike, toBytes, xor } from './bytes';
import { milenageF1, milenageF2345 } from './milenage';
import { resolveKeys, SubscriberKeys } from './subscriber-keys';

/**
 * "The AMF used to calculate MAC-S assumes a dummy value of all zeros so that it does not
 * need to be transmitted in the clear in the re-synch message" (TS 33.102 §6.3.3).
 */
export const RESYNC_AMF = Buffer.alloc(2);

/** Inputs of {@link computeAuts}. */
export type ComputeAutsInput = SubscriberKeys & {
  rand: BytesLike;
  /** SQN_MS: the highest SQN the USIM has accepted. */
  sqnMs: BytesLike;
};

/**
 * The USIM's re-synchronisation token (TS 33.102 §6.3.3, Figure 9):
 * MAC-S = f1*_K(SQN_MS ‖ RAND ‖ AMF) with the dummy AMF 0000, AK = f5*_K(RAND),
 * AUTS = Conc(SQN_MS) ‖ MAC-S with Conc(SQN_MS) = SQN_MS ⊕ f5*_K(RAND). 14 octets.
 */
export function computeAuts(input: ComputeAutsInput): Buffer {
  const keys = resolveKeys(input);
  const rand = toBytes(input.rand, 'RAND', 16);
  const sqnMs = toBytes(input.sqnMs, 'SQN_MS', 6);
  const { macS } = milenageF1(keys, rand, sqnMs, RESYNC_AMF);
  const { akStar } = milenageF2345(keys, rand);
  return Buffer.concat([xor(sqnMs, akStar), macS]);
}

/** Inputs of {@link verifyAuts}. */
export type VerifyAutsInput = SubscriberKeys & {
  /** The RAND of the challenge the UE rejected. */
  rand: BytesLike;
  /** AUTS from the UE (14 octets). */
  auts: BytesLike;
};

/**
 * The HE/AuC side of re-synchronisation (TS 33.102 §6.3.5): recover SQN_MS = Conc(SQN_MS) ⊕
 * f5*_K(RAND) and check MAC-S = f1*_K(SQN_MS ‖ RAND ‖ AMF = 0000). Returns SQN_MS when MAC-S
 * verifies, `null` when it does not (the HE then must not change SQN_HE). Malformed input
 * (wrong lengths, bad hex) raises an AkaError.
 */
export function verifyAuts(input: VerifyAutsInput): { sqnMs: Buffer } | null {
  const keys = resolveKeys(input);
  const rand = toBytes(input.rand, 'RAND', 16);
  const auts = toBytes(input.auts, 'AUTS', 14);
  const { akStar } = milenageF2345(keys, rand);
  const sqnMs = xor(auts.subarray(0, 6), akStar);
  const { macS } = milenageF1(keys, rand, sqnMs, RESYNC_AMF);
  return timingSafeEqual(macS, auts.subarray(6, 14)) ? { sqnMs } : null;
}
