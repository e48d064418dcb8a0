/** RFC 6733 §4.2 Unsigned32: 32-bit unsigned value, network byte order. */
import { DataTypeCodec, expectLength, toInt } from './data-type';

export const Unsigned32: DataTypeCodec<number> = {
  type: 'Unsigned32',
  decode(data) {
    expectLength('Unsigned32', data, 4);
    return data.readUInt32BE(0);
  },
  encode(value) {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(toInt('Unsigned32', value, 0, 0xffffffff), 0);
    return b;
  },
};
