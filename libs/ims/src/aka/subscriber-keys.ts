import { AkaError } from './aka-error';
import { BytesLike, toBytes } from './bytes';
import { computeOpc } from './milenage';

/**
 * K with OPc or OP (the HSS may be provisioned with either; OPc is derived from OP,
 * TS 35.206 §4.1). When both are given OPc wins. `null` is treated as absent so that
 * database rows can be passed straight in.
 */
export interface SubscriberKeys {
  k: BytesLike;
  opc?: BytesLike | null;
  op?: BytesLike | null;
}

/** Resolves {@link SubscriberKeys} to the K and OPc MILENAGE needs. */
export function resolveKeys(keys: SubscriberKeys): { k: Buffer; opc: Buffer } {
  if (!keys || keys.k === undefined || keys.k === null) throw new AkaError('K', 'is required');
  const k = toBytes(keys.k, 'K', 16);
  if (keys.opc !== undefined && keys.opc !== null) return { k, opc: toBytes(keys.opc, 'OPc', 16) };
  if (keys.op !== undefined && keys.op !== null) return { k, opc: computeOpc(k, keys.op) };
  throw new AkaError('OPc', 'is required (or OP to derive it from)');
}
