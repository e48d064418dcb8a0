/** RFC 6733 §4.2 Unsigned64: 64-bit unsigned value, network byte order (decoded as bigint). */
import { DataTypeCodec, expectLength, toBigInt } from './data-type';

export const Unsigned64: DataTypeCodec<bigint> = {
  type: 'Unsigned64',
  decode(data) {
    expectLength('Unsigned64', data, 8);
    return data.readBigUInt64BE(0);
  },
  encode(value) {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(toBigInt('Unsigned64', value, 0n, (1n << 64n) - 1n), 0);
    return b;
  },
};
