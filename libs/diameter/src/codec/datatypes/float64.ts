/** RFC 6733 §4.2 Float64: IEEE 754-1985 double precision, network byte order. */
import { DataTypeCodec, encodeError, expectLength } from './data-type';

export const Float64: DataTypeCodec<number> = {
  type: 'Float64',
  decode(data) {
    expectLength('Float64', data, 8);
    return data.readDoubleBE(0);
  },
  encode(value) {
    if (typeof value !== 'number') throw encodeError('Float64', value, 'not a number');
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(value, 0);
    return b;
  },
};
