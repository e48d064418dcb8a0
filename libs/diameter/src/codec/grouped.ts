/**
 * RFC 6733 §4.4 Grouped: "The Data field is specified as a sequence of AVPs. These AVPs are
 * concatenated -- including their headers and padding -- in the order in which they are
 * specified". Grouped data is framed by the AVP codec (avp.ts); this module names it.
 */
import { Avp, decodeAvps, encodeAvps } from './avp';

export const Grouped = {
  type: 'Grouped' as const,
  decode: (data: Buffer): Avp[] => decodeAvps(data, 0, data.length),
  encode: (avps: Avp[]): Buffer => encodeAvps(avps),
};
