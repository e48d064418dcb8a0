import { randomBytes } from 'node:crypto';
import { buildAutn } from './autn';
import { BytesLike, toBytes } from './bytes';
import { milenage } from './milenage';
import { resolveKeys, SubscriberKeys } from './subscriber-keys';

/** Inputs of {@link generateAuthVector}. */
export type AuthVectorInput = SubscriberKeys & {
  /** AMF, 2 octets (the HSS default is 8000: separation bit set). */
  amf: BytesLike;
  /** The SQN to put into this vector (6 octets), normally `nextSqn(SQN_HE)`. */
  sqn: BytesLike;
  /** RAND, 16 octets; a fresh random value when omitted (TS 33.102 §6.3.2 "RAND"). */
  rand?: BytesLike;
};

/**
 * An authentication vector AV = RAND ‖ XRES ‖ CK ‖ IK ‖ AUTN (TS 33.102 §6.3.2), plus AK
 * which callers use for logging and tests.
 */
export interface AuthVector {
  rand: Buffer;
  autn: Buffer;
  xres: Buffer;
  ck: Buffer;
  ik: Buffer;
  ak: Buffer;
}

/**
 * Generates one authentication vector, TS 33.102 §6.3.2 Figure 7:
 * MAC = f1_K(SQN ‖ RAND ‖ AMF), XRES = f2_K(RAND), CK = f3_K(RAND), IK = f4_K(RAND),
 * AK = f5_K(RAND), AUTN = SQN ⊕ AK ‖ AMF ‖ MAC.
 */
export function generateAuthVector(input: AuthVectorInput): AuthVector {
  const keys = resolveKeys(input);
  const sqn = toBytes(input.sqn, 'SQN', 6);
  const amf = toBytes(input.amf, 'AMF', 2);
  const rand = input.rand === undefined ? randomBytes(16) : toBytes(input.rand, 'RAND', 16);
  const { macA, res, ck, ik, ak } = milenage(keys, rand, sqn, amf);
  return { rand, autn: buildAutn(sqn, ak, amf, macA), xres: res, ck, ik, ak };
}
