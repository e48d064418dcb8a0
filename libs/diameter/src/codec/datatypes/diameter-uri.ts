/**
 * RFC 6733 §4.3.1 DiameterURI: "aaa://" FQDN [ port ] [ transport ] [ protocol ] (or
 * "aaas://"). Decoded as text; the syntax is not enforced because Cx peers in the field put
 * SIP or bare host names in the charging-function AVPs (TS 29.229 §6.3.19–6.3.23).
 */
import { DataTypeCodec } from './data-type';
import { decodeUtf8, encodeUtf8 } from './utf8-string';

export const DiameterURI: DataTypeCodec<string> = {
  type: 'DiameterURI',
  decode: (data) => decodeUtf8('DiameterURI', data),
  encode: (value) => encodeUtf8('DiameterURI', value),
};
