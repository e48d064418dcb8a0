import { timingSafeEqual } from 'node:crypto';
import { parseAutn } from './autn';
import { BytesLike, toBytes, xor } from './bytes';
import { milenageF1, milenageF2345 } from './milenage';
import { computeAuts } from './resync';
import { checkSqnFreshness, SqnFreshnessOptions } from './sqn';
import { resolveKeys, SubscriberKeys } from './subscriber-keys';
import { UsimSqnArray } from './usim-sqn-array';

/** Inputs of {@link ueProcessChallenge}: what the USIM/ISIM holds plus the challenge. */
export type UeChallengeInput = SubscriberKeys &
  SqnFreshnessOptions & {
    rand: BytesLike;
    autn: BytesLike;
    /**
     * SQN_MS, the highest SQN accepted so far. When omitted the SQN range check is skipped
     * (as SIPp does); the MAC is always verified.
     */
    sqnMs?: BytesLike;
    /**
     * Alternatively, the USIM's per-IND array (TS 33.102 C.2.2). It is only read: after an
     * `ok` result the caller records the SQN with `usimSqn.accept(result.sqn)`.
     */
    usimSqn?: UsimSqnArray;
  };

/** The USIM's answer to a challenge (TS 33.102 §6.3.3). */
export type UeChallengeResult =
  | {
      kind: 'ok';
      /** RES = f2_K(RAND), the Digest-AKA password source. */
      res: Buffer;
      ck: Buffer;
      ik: Buffer;
      /** The SQN recovered from AUTN; the UE stores it as its new SQN_MS. */
      sqn: Buffer;
      ak: Buffer;
    }
  | {
      kind: 'sync-failure';
      /** AUTS to send back (RFC 3310 §3.4 `auts` directive). */
      auts: Buffer;
      /** The (rejected) SQN recovered from AUTN. */
      sqn: Buffer;
      reason: 'not-fresh' | 'out-of-range';
    }
  | { kind: 'mac-failure' };

/**
 * The USIM side of AKA (TS 33.102 §6.3.3, Figure 8): compute AK = f5_K(RAND) and retrieve
 * SQN = (SQN ⊕ AK) ⊕ AK; compute XMAC = f1_K(SQN ‖ RAND ‖ AMF) with the AMF carried in AUTN
 * and compare it with MAC ("If they are different, the user sends user authentication reject
 * ... to the VLR/SGSN"); then verify that SQN is in the correct range (otherwise send a
 * synchronisation failure with AUTS); finally compute RES = f2_K(RAND), CK and IK.
 */
export function ueProcessChallenge(input: UeChallengeInput): UeChallengeResult {
  const keys = resolveKeys(input);
  const rand = toBytes(input.rand, 'RAND', 16);
  const { sqnXorAk, amf, mac } = parseAutn(input.autn);
  const { res, ck, ik, ak } = milenageF2345(keys, rand);
  const sqn = xor(sqnXorAk, ak);
  const xmac = milenageF1(keys, rand, sqn, amf).macA;
  if (!timingSafeEqual(xmac, mac)) return { kind: 'mac-failure' };
  if (input.sqnMs !== undefined || input.usimSqn !== undefined) {
    const sqnMs = input.usimSqn ? input.usimSqn.sqnMs : toBytes(input.sqnMs!, 'SQN_MS', 6);
    const freshness = input.usimSqn
      ? input.usimSqn.check(sqn)
      : checkSqnFreshness(sqn, sqnMs, input);
    if (freshness !== 'fresh') {
      return {
        kind: 'sync-failure',
        auts: computeAuts({ k: keys.k, opc: keys.opc, rand, sqnMs }),
        sqn,
        reason: freshness,
      };
    }
  }
  return { kind: 'ok', res, ck, ik, sqn, ak };
}
