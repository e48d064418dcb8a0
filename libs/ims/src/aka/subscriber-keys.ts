import { AkaError } from './aka-error';
import { BytesLike, toBytes } from './bytes';
import { computeOpc, MilenageKeys } from './milenage';

/** K with either OPc or OP (the HSS may be provisioned with either, OPc is derived from OP). */
export type SubscriberKeys =
  | { k: BytesLike; opc: BytesLike; op?: undefined }
  | { k: BytesLike; op: BytesLike; opc?: undefined };

/** Resolves {@link SubscriberKeys} to the K and OPc MILENAGE needs (TS 35.206 §4.1). */
export function resolveKeys(keys: { k: BytesLike; opc?: BytesLike; op?: BytesLike }): {
  k: Buffer;
  opc: Buffer;
} & MilenageKeys {
  const k = toBytes(keys.k, 'K', 16);
  if (keys.opc !== undefined) return { k, opc: toBytes(keys.opc, 'OPc', 16) };
  if (keys.op !== undefined) return { k, opc: computeOpc(k, keys.op) };
  throw new AkaError('OPc', 'is required (or OP to derive it from)');
}
