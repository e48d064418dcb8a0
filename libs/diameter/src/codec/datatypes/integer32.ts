/** RFC 6733 §4.2 Integer32: 32-bit signed value, network byte order. */
import { DataTypeCodec, expectLength, toInt } from './data-type';

export const Integer32: DataTypeCodec<number> = {
  type: 'Integer32',
  decode(data) {
    expectLength('Integer32', data, 4);
    return data.readInt32BE(0);
  },
  encode(value) {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(toInt('Integer32', value, -0x80000000, 0x7fffffff), 0);
    return b;
  },
};
