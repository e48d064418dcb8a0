/** RFC 6733 §4.2 Integer64: 64-bit signed value, network byte order (decoded as bigint). */
import { DataTypeCodec, expectLength, toBigInt } from './data-type';

export const Integer64: DataTypeCodec<bigint> = {
  type: 'Integer64',
  decode(data) {
    expectLength('Integer64', data, 8);
    return data.readBigInt64BE(0);
  },
  encode(value) {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(toBigInt('Integer64', value, -(1n << 63n), (1n << 63n) - 1n), 0);
    return b;
  },
};
