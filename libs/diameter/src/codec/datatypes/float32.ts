/** RFC 6733 §4.2 Float32: IEEE 754-1985 single precision, network byte order. */
import { DataTypeCodec, encodeError, expectLength } from './data-type';

export const Float32: DataTypeCodec<number> = {
  type: 'Float32',
  decode(data) {
    expectLength('Float32', data, 4);
    return data.readFloatBE(0);
  },
  encode(value) {
    if (typeof value !== 'number') throw encodeError('Float32', value, 'not a number');
    const b = Buffer.allocUnsafe(4);
    b.writeFloatBE(value, 0);
    return b;
  },
};
