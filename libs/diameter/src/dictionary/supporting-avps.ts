/**
 * AVPs from other specifications that the Cx command formats of TS 29.229 §6.1 reference:
 * RADIUS/NASREQ (RFC 7155), SIP digest (RFC 4590 via RFC 5090 / TS 29.229 Table 6.3.1),
 * DRMP (RFC 7944), overload control (RFC 7683), load (RFC 8583), ETSI Line-Identifier.
 */
import type { AvpRow } from './definitions';

export const SUPPORTING_AVPS: AvpRow[] = [
  ['Framed-IP-Address', 8, 'OctetString', 'M', 'RFC 7155 §4.4.10.5.1'],
  ['Framed-Interface-Id', 96, 'Unsigned64', 'M', 'RFC 7155 §4.4.10.5.5'],
  ['Framed-IPv6-Prefix', 97, 'OctetString', 'M', 'RFC 7155 §4.4.10.5.6'],
  ['Digest-Realm', 104, 'UTF8String', 'M', 'RFC 4590 §3.4 / TS 29.229 §6.3.37'],
  ['Digest-QoP', 110, 'UTF8String', 'M', 'RFC 4590 §3.10 / TS 29.229 §6.3.39'],
  ['Digest-Algorithm', 111, 'UTF8String', 'M', 'RFC 4590 §3.11 / TS 29.229 §6.3.38'],
  ['Digest-HA1', 121, 'UTF8String', 'M', 'RFC 5090 §3.21 / TS 29.229 §6.3.41'],
  ['DRMP', 301, 'Enumerated', '-', 'RFC 7944 §9.1'],
  ['OC-Supported-Features', 621, 'Grouped', '-', 'RFC 7683 §7.1'],
  ['OC-Feature-Vector', 622, 'Unsigned64', '-', 'RFC 7683 §7.2'],
  ['OC-OLR', 623, 'Grouped', '-', 'RFC 7683 §7.3'],
  ['OC-Sequence-Number', 624, 'Unsigned64', '-', 'RFC 7683 §7.4'],
  ['OC-Validity-Duration', 625, 'Unsigned32', '-', 'RFC 7683 §7.5'],
  ['OC-Report-Type', 626, 'Enumerated', '-', 'RFC 7683 §7.6'],
  ['OC-Reduction-Percentage', 627, 'Unsigned32', '-', 'RFC 7683 §7.7'],
  ['SourceID', 649, 'DiameterIdentity', '-', 'RFC 8583 §7.3'],
  ['Load', 650, 'Grouped', '-', 'RFC 8583 §7.1'],
  ['Load-Type', 651, 'Enumerated', '-', 'RFC 8583 §7.2'],
  ['Load-Value', 652, 'Unsigned64', '-', 'RFC 8583 §7.3'],
];

/** ETSI TS 283 034 (vendor 13019): Line-Identifier, referenced by SIP-Auth-Data-Item. */
export const ETSI_VENDOR_ID = 13019;
export const ETSI_AVPS: AvpRow[] = [
  ['Line-Identifier', 500, 'OctetString', 'M', 'ETSI TS 283 034 §7.3.5'],
];

export const SUPPORTING_ENUMERATIONS: Record<string, Record<number, string>> = {
  DRMP: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [i, `PRIORITY_${i}`])),
  'OC-Report-Type': { 0: 'HOST_REPORT', 1: 'REALM_REPORT' },
  'Load-Type': { 0: 'HOST', 1: 'PEER' },
};

export const SUPPORTING_GROUPED: string[] = [
  `OC-Supported-Features ::= < AVP Header: 621 > [ OC-Feature-Vector ] * [ AVP ]`,
  `OC-OLR ::= < AVP Header: 623 > < OC-Sequence-Number > < OC-Report-Type >
     [ OC-Reduction-Percentage ] [ OC-Validity-Duration ] * [ AVP ]`,
  `Load ::= < AVP Header: 650 > [ Load-Type ] [ Load-Value ] [ SourceID ] * [ AVP ]`,
];
