/** RFC 6733 §4.2 OctetString: arbitrary data of variable length. */
import { DataTypeCodec, encodeError } from './data-type';

export const OctetString: DataTypeCodec<Buffer> = {
  type: 'OctetString',
  decode: (data) => data,
  encode(value) {
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value);
    // A string is taken as its UTF-8 bytes (Visited-Network-Identifier, User-Data carry text).
    if (typeof value === 'string') return Buffer.from(value, 'utf8');
    throw encodeError('OctetString', value, 'expected a Buffer or a string');
  },
};
