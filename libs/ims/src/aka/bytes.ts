import { AkaError } from './aka-error';

/** A binary AKA value: a Buffer, or a hex string at the API edge (`0x` prefix and spaces allowed). */
export type BytesLike = Buffer | Uint8Array | string;

const HEX = /^[0-9a-fA-F]*$/;

/**
 * Normalises a key or parameter to a Buffer of exactly `length` octets (when given).
 * Hex strings are accepted at the API edge; anything else raises an {@link AkaError}
 * naming `field`.
 */
export function toBytes(value: BytesLike, field: string, length?: number): Buffer {
  let out: Buffer;
  if (typeof value === 'string') {
    const hex = value.replace(/^0x/i, '').replace(/[\s:]/g, '');
    if (!HEX.test(hex) || hex.length % 2 !== 0) throw new AkaError(field, 'is not a hex string');
    out = Buffer.from(hex, 'hex');
  } else if (Buffer.isBuffer(value)) {
    out = value;
  } else if (value instanceof Uint8Array) {
    out = Buffer.from(value);
  } else {
    throw new AkaError(field, 'must be a Buffer or a hex string');
  }
  if (length !== undefined && out.length !== length) {
    throw new AkaError(field, `must be ${length} octets, got ${out.length}`);
  }
  return out;
}

/** Bitwise exclusive-or of two equally long octet strings (the ⊕ of TS 35.206). */
export function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}
