import { BytesLike, toBytes, xor } from './bytes';

/** The three fields of AUTN (TS 33.102 §6.3.2): AUTN = SQN ⊕ AK ‖ AMF ‖ MAC. */
export interface AutnFields {
  /** SQN ⊕ AK (6 octets): SQN concealed by the anonymity key. */
  sqnXorAk: Buffer;
  /** AMF (2 octets). */
  amf: Buffer;
  /** MAC-A (8 octets). */
  mac: Buffer;
}

/** AUTN = (SQN ⊕ AK) ‖ AMF ‖ MAC-A (TS 33.102 §6.3.2), 16 octets. */
export function buildAutn(sqn: BytesLike, ak: BytesLike, amf: BytesLike, macA: BytesLike): Buffer {
  return Buffer.concat([
    xor(toBytes(sqn, 'SQN', 6), toBytes(ak, 'AK', 6)),
    toBytes(amf, 'AMF', 2),
    toBytes(macA, 'MAC-A', 8),
  ]);
}

/** Splits the 16-octet AUTN into its fields. */
export function parseAutn(autn: BytesLike): AutnFields {
  const a = toBytes(autn, 'AUTN', 16);
  return { sqnXorAk: a.subarray(0, 6), amf: a.subarray(6, 8), mac: a.subarray(8, 16) };
}
