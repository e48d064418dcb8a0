/**
 * RFC 6733 (Diameter Base Protocol) as data: the AVP table of §4.5 and the accounting AVPs of
 * §9.8, their enumerations, the Grouped AVP formats, and the base commands of §5.3, §5.4, §5.5.
 * Flag column: 'M' = the M bit MUST be set, 'm' = MAY, '-' = MUST NOT.
 */
import type { AvpRow } from './definitions';

export const BASE_AVPS: AvpRow[] = [
  ['User-Name', 1, 'UTF8String', 'M', 'RFC 6733 §8.14'],
  ['Class', 25, 'OctetString', 'M', 'RFC 6733 §8.20'],
  ['Session-Timeout', 27, 'Unsigned32', 'M', 'RFC 6733 §8.13'],
  ['Proxy-State', 33, 'OctetString', 'M', 'RFC 6733 §6.7.4'],
  ['Acct-Session-Id', 44, 'OctetString', 'M', 'RFC 6733 §9.8.4'],
  ['Acct-Multi-Session-Id', 50, 'UTF8String', 'M', 'RFC 6733 §9.8.5'],
  ['Event-Timestamp', 55, 'Time', 'M', 'RFC 6733 §8.21'],
  ['Acct-Interim-Interval', 85, 'Unsigned32', 'M', 'RFC 6733 §9.8.2'],
  ['Host-IP-Address', 257, 'Address', 'M', 'RFC 6733 §5.3.5'],
  ['Auth-Application-Id', 258, 'Unsigned32', 'M', 'RFC 6733 §6.8'],
  ['Acct-Application-Id', 259, 'Unsigned32', 'M', 'RFC 6733 §6.9'],
  ['Vendor-Specific-Application-Id', 260, 'Grouped', 'M', 'RFC 6733 §6.11'],
  ['Redirect-Host-Usage', 261, 'Enumerated', 'M', 'RFC 6733 §6.13'],
  ['Redirect-Max-Cache-Time', 262, 'Unsigned32', 'M', 'RFC 6733 §6.14'],
  ['Session-Id', 263, 'UTF8String', 'M', 'RFC 6733 §8.8'],
  ['Origin-Host', 264, 'DiameterIdentity', 'M', 'RFC 6733 §6.3'],
  ['Supported-Vendor-Id', 265, 'Unsigned32', 'M', 'RFC 6733 §5.3.6'],
  ['Vendor-Id', 266, 'Unsigned32', 'M', 'RFC 6733 §5.3.3'],
  ['Firmware-Revision', 267, 'Unsigned32', '-', 'RFC 6733 §5.3.4'],
  ['Result-Code', 268, 'Unsigned32', 'M', 'RFC 6733 §7.1'],
  ['Product-Name', 269, 'UTF8String', '-', 'RFC 6733 §5.3.7'],
  ['Session-Binding', 270, 'Unsigned32', 'M', 'RFC 6733 §8.17'],
  ['Session-Server-Failover', 271, 'Enumerated', 'M', 'RFC 6733 §8.18'],
  ['Multi-Round-Time-Out', 272, 'Unsigned32', 'M', 'RFC 6733 §8.19'],
  ['Disconnect-Cause', 273, 'Enumerated', 'M', 'RFC 6733 §5.4.3'],
  ['Auth-Request-Type', 274, 'Enumerated', 'M', 'RFC 6733 §8.7'],
  ['Auth-Grace-Period', 276, 'Unsigned32', 'M', 'RFC 6733 §8.10'],
  ['Auth-Session-State', 277, 'Enumerated', 'M', 'RFC 6733 §8.11'],
  ['Origin-State-Id', 278, 'Unsigned32', 'M', 'RFC 6733 §8.16'],
  ['Failed-AVP', 279, 'Grouped', 'M', 'RFC 6733 §7.5'],
  ['Proxy-Host', 280, 'DiameterIdentity', 'M', 'RFC 6733 §6.7.3'],
  ['Error-Message', 281, 'UTF8String', '-', 'RFC 6733 §7.3'],
  ['Route-Record', 282, 'DiameterIdentity', 'M', 'RFC 6733 §6.7.1'],
  ['Destination-Realm', 283, 'DiameterIdentity', 'M', 'RFC 6733 §6.6'],
  ['Proxy-Info', 284, 'Grouped', 'M', 'RFC 6733 §6.7.2'],
  ['Re-Auth-Request-Type', 285, 'Enumerated', 'M', 'RFC 6733 §8.12'],
  ['Accounting-Sub-Session-Id', 287, 'Unsigned64', 'M', 'RFC 6733 §9.8.6'],
  ['Authorization-Lifetime', 291, 'Unsigned32', 'M', 'RFC 6733 §8.9'],
  ['Redirect-Host', 292, 'DiameterURI', 'M', 'RFC 6733 §6.12'],
  ['Destination-Host', 293, 'DiameterIdentity', 'M', 'RFC 6733 §6.5'],
  ['Error-Reporting-Host', 294, 'DiameterIdentity', '-', 'RFC 6733 §7.4'],
  ['Termination-Cause', 295, 'Enumerated', 'M', 'RFC 6733 §8.15'],
  ['Origin-Realm', 296, 'DiameterIdentity', 'M', 'RFC 6733 §6.4'],
  ['Experimental-Result', 297, 'Grouped', 'M', 'RFC 6733 §7.6'],
  ['Experimental-Result-Code', 298, 'Unsigned32', 'M', 'RFC 6733 §7.7'],
  ['Inband-Security-Id', 299, 'Unsigned32', 'M', 'RFC 6733 §6.10'],
  ['E2E-Sequence', 300, 'Grouped', 'M', 'RFC 6733 §6.15'],
  ['Accounting-Record-Type', 480, 'Enumerated', 'M', 'RFC 6733 §9.8.1'],
  ['Accounting-Realtime-Required', 483, 'Enumerated', 'M', 'RFC 6733 §9.8.7'],
  ['Accounting-Record-Number', 485, 'Unsigned32', 'M', 'RFC 6733 §9.8.3'],
];

export const BASE_ENUMERATIONS: Record<string, Record<number, string>> = {
  'Redirect-Host-Usage': {
    0: 'DONT_CACHE',
    1: 'ALL_SESSION',
    2: 'ALL_REALM',
    3: 'REALM_AND_APPLICATION',
    4: 'ALL_APPLICATION',
    5: 'ALL_HOST',
    6: 'ALL_USER',
  },
  'Session-Server-Failover': {
    0: 'REFUSE_SERVICE',
    1: 'TRY_AGAIN',
    2: 'ALLOW_SERVICE',
    3: 'TRY_AGAIN_ALLOW_SERVICE',
  },
  'Disconnect-Cause': { 0: 'REBOOTING', 1: 'BUSY', 2: 'DO_NOT_WANT_TO_TALK_TO_YOU' },
  'Auth-Request-Type': { 1: 'AUTHENTICATE_ONLY', 2: 'AUTHORIZE_ONLY', 3: 'AUTHORIZE_AUTHENTICATE' },
  'Auth-Session-State': { 0: 'STATE_MAINTAINED', 1: 'NO_STATE_MAINTAINED' },
  'Re-Auth-Request-Type': { 0: 'AUTHORIZE_ONLY', 1: 'AUTHORIZE_AUTHENTICATE' },
  'Termination-Cause': {
    1: 'DIAMETER_LOGOUT',
    2: 'DIAMETER_SERVICE_NOT_PROVIDED',
    3: 'DIAMETER_BAD_ANSWER',
    4: 'DIAMETER_ADMINISTRATIVE',
    5: 'DIAMETER_LINK_BROKEN',
    6: 'DIAMETER_AUTH_EXPIRED',
    7: 'DIAMETER_USER_MOVED',
    8: 'DIAMETER_SESSION_TIMEOUT',
  },
  'Accounting-Record-Type': {
    1: 'EVENT_RECORD',
    2: 'START_RECORD',
    3: 'INTERIM_RECORD',
    4: 'STOP_RECORD',
  },
  'Accounting-Realtime-Required': {
    1: 'DELIVER_AND_GRANT',
    2: 'GRANT_AND_STORE',
    3: 'GRANT_AND_LOSE',
  },
};

export const BASE_GROUPED: string[] = [
  // RFC 6733 §6.11
  `Vendor-Specific-Application-Id ::= < AVP Header: 260 >
     { Vendor-Id } [ Auth-Application-Id ] [ Acct-Application-Id ]`,
  // RFC 6733 §7.5
  `Failed-AVP ::= < AVP Header: 279 > 1* {AVP}`,
  // RFC 6733 §6.7.2
  `Proxy-Info ::= < AVP Header: 284 > { Proxy-Host } { Proxy-State } * [ AVP ]`,
  // RFC 6733 §7.6
  `Experimental-Result ::= < AVP Header: 297 > { Vendor-Id } { Experimental-Result-Code }`,
  // RFC 6733 §6.15
  `E2E-Sequence ::= < AVP Header: 300 > 2* { AVP }`,
];

/** RFC 6733 §5.3.1–§5.5.2: the base commands a Cx peer exchanges. */
export const BASE_COMMANDS: { name: string; request: string; answer: string }[] = [
  {
    name: 'Capabilities-Exchange',
    request: `<CER> ::= < Diameter Header: 257, REQ >
      { Origin-Host } { Origin-Realm } 1* { Host-IP-Address } { Vendor-Id } { Product-Name }
      [ Origin-State-Id ] * [ Supported-Vendor-Id ] * [ Auth-Application-Id ]
      * [ Inband-Security-Id ] * [ Acct-Application-Id ] * [ Vendor-Specific-Application-Id ]
      [ Firmware-Revision ] * [ AVP ]`,
    answer: `<CEA> ::= < Diameter Header: 257 >
      { Result-Code } { Origin-Host } { Origin-Realm } 1* { Host-IP-Address } { Vendor-Id }
      { Product-Name } [ Origin-State-Id ] [ Error-Message ] [ Failed-AVP ]
      * [ Supported-Vendor-Id ] * [ Auth-Application-Id ] * [ Inband-Security-Id ]
      * [ Acct-Application-Id ] * [ Vendor-Specific-Application-Id ] [ Firmware-Revision ]
      * [ AVP ]`,
  },
  {
    name: 'Device-Watchdog',
    request: `<DWR> ::= < Diameter Header: 280, REQ >
      { Origin-Host } { Origin-Realm } [ Origin-State-Id ] * [ AVP ]`,
    answer: `<DWA> ::= < Diameter Header: 280 >
      { Result-Code } { Origin-Host } { Origin-Realm } [ Error-Message ] [ Failed-AVP ]
      [ Origin-State-Id ] * [ AVP ]`,
  },
  {
    name: 'Disconnect-Peer',
    request: `<DPR> ::= < Diameter Header: 282, REQ >
      { Origin-Host } { Origin-Realm } { Disconnect-Cause } * [ AVP ]`,
    answer: `<DPA> ::= < Diameter Header: 282 >
      { Result-Code } { Origin-Host } { Origin-Realm } [ Error-Message ] [ Failed-AVP ] * [ AVP ]`,
  },
];
