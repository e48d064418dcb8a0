/**
 * RFC 6733 §4.3.1 UTF8String: "a human-readable string represented using the ISO/IEC IS 10646-1
 * character set, encoded as an OctetString using the UTF-8 transformation format". Invalid
 * UTF-8 is DIAMETER_INVALID_AVP_VALUE (5004).
 */
import { isUtf8 } from 'node:buffer';
import { AvpValueError } from '../diameter-error';
import { ResultCode } from '../../dictionary/result-codes';
import { DataTypeCodec, DataTypeName, encodeError } from './data-type';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Decodes strict UTF-8 (also used by DiameterURI). */
export function decodeUtf8(type: DataTypeName, data: Buffer): string {
  if (!isUtf8(data))
    throw new AvpValueError(`${type} is not valid UTF-8`, ResultCode.INVALID_AVP_VALUE);
  return data.toString('utf8');
}

export function encodeUtf8(type: DataTypeName, value: unknown): Buffer {
  if (typeof value !== 'string') throw encodeError(type, value, 'expected a string');
  if (LONE_SURROGATE.test(value)) throw encodeError(type, value, 'lone surrogate');
  return Buffer.from(value, 'utf8');
}

export const UTF8String: DataTypeCodec<string> = {
  type: 'UTF8String',
  decode: (data) => decodeUtf8('UTF8String', data),
  encode: (value) => encodeUtf8('UTF8String', value),
};
