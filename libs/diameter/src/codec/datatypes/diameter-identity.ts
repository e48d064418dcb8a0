/**
 * RFC 6733 §4.3.1 DiameterIdentity: "DiameterIdentity = FQDN/Realm", an OctetString holding
 * the FQDN of a node or a realm (ASCII, IDNs in punycode per RFC 5891).
 */
import { AvpValueError } from '../diameter-error';
import { ResultCode } from '../../dictionary/result-codes';
import { DataTypeCodec, encodeError } from './data-type';

export const DiameterIdentity: DataTypeCodec<string> = {
  type: 'DiameterIdentity',
  decode(data) {
    for (let i = 0; i < data.length; i++) {
      const byte = data[i];
      if (byte < 0x21 || byte > 0x7e) {
        throw new AvpValueError(
          'DiameterIdentity must be a printable ASCII FQDN',
          ResultCode.INVALID_AVP_VALUE,
        );
      }
    }
    return data.toString('latin1');
  },
  encode(value) {
    if (typeof value !== 'string' || !/^[\x21-\x7e]*$/.test(value)) {
      throw encodeError('DiameterIdentity', value, 'expected an ASCII FQDN');
    }
    return Buffer.from(value, 'latin1');
  },
};
