/**
 * RFC 6733 §4.2 (basic) and §4.3 (derived) AVP data formats. Each data type has its own
 * codec (one file per type) that turns the AVP's Data field into a value and back.
 */
import { AvpValueError, DiameterEncodeError } from '../diameter-error';
import { ResultCode } from '../../dictionary/result-codes';

export type DataTypeName =
  | 'OctetString'
  | 'Integer32'
  | 'Integer64'
  | 'Unsigned32'
  | 'Unsigned64'
  | 'Float32'
  | 'Float64'
  | 'Grouped'
  | 'Address'
  | 'Time'
  | 'UTF8String'
  | 'DiameterIdentity'
  | 'DiameterURI'
  | 'Enumerated';

/** RFC 6733 §4.3.1 Address: AddressType (IANA address family) followed by the address. */
export interface AddressValue {
  /** IANA "Address Family Numbers": 1 = IPv4, 2 = IPv6. */
  family: number;
  /** Dotted quad / RFC 5952 text for IPv4/IPv6; lower-case hex for any other family. */
  address: string;
}

/** Codec of one scalar data type (Grouped is framed by the AVP codec itself). */
export interface DataTypeCodec<T> {
  readonly type: DataTypeName;
  /** Decodes an AVP Data field; throws AvpValueError with the §7.1 result code. */
  decode(data: Buffer): T;
  /** Encodes a value; throws DiameterEncodeError when the value does not fit the type. */
  encode(value: unknown): Buffer;
}

/** RFC 6733 §7.1.5 DIAMETER_INVALID_AVP_LENGTH for a fixed-size type of the wrong size. */
export function expectLength(type: DataTypeName, data: Buffer, length: number): void {
  if (data.length !== length) {
    throw new AvpValueError(
      `${type} needs ${length} octets of data, got ${data.length}`,
      ResultCode.INVALID_AVP_LENGTH,
    );
  }
}

export function encodeError(type: DataTypeName, value: unknown, why = ''): DiameterEncodeError {
  const shown = typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
  return new DiameterEncodeError(
    `cannot encode ${shown?.slice(0, 60)} as ${type}${why ? `: ${why}` : ''}`,
  );
}

/** Accepts a number or bigint that is an integer in [min, max]. */
export function toBigInt(type: DataTypeName, value: unknown, min: bigint, max: bigint): bigint {
  let v: bigint;
  if (typeof value === 'bigint') v = value;
  else if (typeof value === 'number' && Number.isInteger(value)) v = BigInt(value);
  else throw encodeError(type, value, 'not an integer');
  if (v < min || v > max) throw encodeError(type, value, 'out of range');
  return v;
}

/** Accepts an integer number in [min, max]. */
export function toInt(type: DataTypeName, value: unknown, min: number, max: number): number {
  if (typeof value === 'bigint') value = Number(value);
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw encodeError(type, value, 'not an integer');
  }
  if (value < min || value > max) throw encodeError(type, value, 'out of range');
  return value;
}
