/**
 * RFC 6733 §4.3.1 Enumerated: "derived from the Integer32 AVP Base Format". The allowed
 * values are in the dictionary; an unlisted value is rejected by validation (5004), not here.
 */
import { DataTypeCodec } from './data-type';
import { Integer32 } from './integer32';

export const Enumerated: DataTypeCodec<number> = {
  type: 'Enumerated',
  decode: (data) => Integer32.decode(data),
  encode: (value) => Integer32.encode(value),
};
