/**
 * RFC 6733 §4.3.1 Address: "The first two octets of the Address AVP represent the AddressType,
 * which contains an Address Family, defined in [IANAADFAM]. The AddressType is used to
 * discriminate the content and format of the remaining octets." IPv4 (1) carries 4 octets,
 * IPv6 (2) 16; other families are kept as hex.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { AvpValueError } from '../diameter-error';
import { ResultCode } from '../../dictionary/result-codes';
import { AddressValue, DataTypeCodec, encodeError } from './data-type';

/** IANA Address Family Numbers used by Diameter. */
export const AddressFamily = { IPv4: 1, IPv6: 2 } as const;

export const Address: DataTypeCodec<AddressValue> = {
  type: 'Address',
  decode(data) {
    if (data.length < 2) {
      throw new AvpValueError(
        'Address shorter than its AddressType',
        ResultCode.INVALID_AVP_LENGTH,
      );
    }
    const family = data.readUInt16BE(0);
    const bytes = data.subarray(2);
    if (family === AddressFamily.IPv4) {
      if (bytes.length !== 4) {
        throw new AvpValueError('IPv4 Address needs 4 octets', ResultCode.INVALID_AVP_LENGTH);
      }
      return { family, address: bytes.join('.') };
    }
    if (family === AddressFamily.IPv6) {
      if (bytes.length !== 16) {
        throw new AvpValueError('IPv6 Address needs 16 octets', ResultCode.INVALID_AVP_LENGTH);
      }
      return { family, address: formatIPv6(bytes) };
    }
    return { family, address: bytes.toString('hex') };
  },
  encode(value) {
    let family: number;
    let address: string;
    if (typeof value === 'string') {
      family = isIPv4(value) ? AddressFamily.IPv4 : AddressFamily.IPv6;
      address = value;
    } else if (value && typeof value === 'object' && 'address' in value && 'family' in value) {
      const v = value as { family: unknown; address: unknown };
      family =
        v.family === 'IPv4'
          ? 1
          : v.family === 'IPv6'
            ? 2
            : typeof v.family === 'number'
              ? v.family
              : -1;
      address = String(v.address);
    } else {
      throw encodeError('Address', value, 'expected an IP string or {family, address}');
    }
    let bytes: Buffer;
    if (family === AddressFamily.IPv4 && isIPv4(address)) {
      bytes = Buffer.from(address.split('.').map(Number));
    } else if (family === AddressFamily.IPv6 && isIPv6(address)) {
      bytes = parseIPv6(address);
    } else if (family > 2 && family <= 0xffff && /^([0-9a-f]{2})*$/i.test(address)) {
      bytes = Buffer.from(address, 'hex');
    } else {
      throw encodeError('Address', value, 'address does not match its family');
    }
    const out = Buffer.allocUnsafe(2 + bytes.length);
    out.writeUInt16BE(family, 0);
    bytes.copy(out, 2);
    return out;
  },
};

/** RFC 5952 §4 text form: lower case, longest run (>1) of zero groups as "::". */
export function formatIPv6(bytes: Buffer): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parses IPv6 text (with "::" and an optional trailing dotted quad) to 16 octets. */
export function parseIPv6(text: string): Buffer {
  // An embedded IPv4 tail becomes two hex groups: "::ffff:1.2.3.4" -> "::ffff:102:304".
  const s = text
    .replace(/%.*$/, '')
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
      [(+a << 8) | +b, (+c << 8) | +d].map((g) => g.toString(16)).join(':'),
    );
  const halves = s.split('::');
  const groups = (p: string) => (p ? p.split(':').map((h) => parseInt(h, 16)) : []);
  const left = groups(halves[0]);
  const right = halves.length > 1 ? groups(halves[1]) : [];
  const zeros = halves.length > 1 ? 8 - left.length - right.length : 0;
  const all = [...left, ...new Array<number>(Math.max(0, zeros)).fill(0), ...right];
  const out = Buffer.alloc(16);
  all.slice(0, 8).forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}
