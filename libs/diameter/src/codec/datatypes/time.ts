/**
 * RFC 6733 §4.3.1 Time: "The Time format is derived from the OctetString Basic AVP Format. The
 * string MUST contain four octets, in the same format as the first four bytes are in the NTP
 * timestamp format" — seconds since 0h on 1 January 1900 UTC. The counter wraps on
 * 7 February 2036 06:28:16 UTC; as in RFC 4330 §3, a value with the most significant bit clear
 * is read in the next era (2036–2104), so this codec covers 1968-01-20 .. 2104-02-26.
 */
import { DataTypeCodec, encodeError, expectLength } from './data-type';

/** Seconds between the NTP epoch (1900-01-01) and the Unix epoch (1970-01-01). */
export const NTP_UNIX_OFFSET_S = 2208988800;
const ERA = 2 ** 32;

export const Time: DataTypeCodec<Date> = {
  type: 'Time',
  decode(data) {
    expectLength('Time', data, 4);
    const ntp = data.readUInt32BE(0);
    const seconds = ntp >= 0x80000000 ? ntp : ntp + ERA;
    return new Date((seconds - NTP_UNIX_OFFSET_S) * 1000);
  },
  encode(value) {
    if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
      throw encodeError('Time', value, 'expected a valid Date');
    }
    const seconds = Math.floor(value.getTime() / 1000) + NTP_UNIX_OFFSET_S;
    if (seconds < 0x80000000 || seconds >= 0x80000000 + ERA) {
      throw encodeError('Time', value, 'outside 1968-01-20 .. 2104-02-26');
    }
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(seconds % ERA, 0);
    return b;
  },
};
