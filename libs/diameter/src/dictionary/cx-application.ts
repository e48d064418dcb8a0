/**
 * 3GPP Cx/Dx (TS 29.228, TS 29.229) as data: the AVPs of TS 29.229 Table 6.3.1 (vendor 10415),
 * their enumerations (§6.3), the Grouped AVP formats and the command formats of §6.1.
 * Names follow TS 29.229 (Wireshark prefixes some with "3GPP-" or calls User-Data "Cx-User-Data").
 * Flag column: 'M' = the M bit MUST be set, 'm' = MAY, '-' = MUST NOT (the V bit is always set).
 */
import type { AvpRow } from './definitions';

/** TS 29.229 §6.2 / §7: "The Diameter Application Identifier assigned to the Cx/Dx interface". */
export const CX_APPLICATION_ID = 16777216;
/** IANA SMI Network Management Private Enterprise Code of 3GPP. */
export const VENDOR_3GPP = 10415;

export const CX_AVPS: AvpRow[] = [
  ['Visited-Network-Identifier', 600, 'OctetString', 'M', 'TS 29.229 §6.3.1'],
  ['Public-Identity', 601, 'UTF8String', 'M', 'TS 29.229 §6.3.2'],
  ['Server-Name', 602, 'UTF8String', 'M', 'TS 29.229 §6.3.3'],
  ['Server-Capabilities', 603, 'Grouped', 'M', 'TS 29.229 §6.3.4'],
  ['Mandatory-Capability', 604, 'Unsigned32', 'M', 'TS 29.229 §6.3.5'],
  ['Optional-Capability', 605, 'Unsigned32', 'M', 'TS 29.229 §6.3.6'],
  ['User-Data', 606, 'OctetString', 'M', 'TS 29.229 §6.3.7'],
  ['SIP-Number-Auth-Items', 607, 'Unsigned32', 'M', 'TS 29.229 §6.3.8'],
  ['SIP-Authentication-Scheme', 608, 'UTF8String', 'M', 'TS 29.229 §6.3.9'],
  ['SIP-Authenticate', 609, 'OctetString', 'M', 'TS 29.229 §6.3.10'],
  ['SIP-Authorization', 610, 'OctetString', 'M', 'TS 29.229 §6.3.11'],
  ['SIP-Authentication-Context', 611, 'OctetString', 'M', 'TS 29.229 §6.3.12'],
  ['SIP-Auth-Data-Item', 612, 'Grouped', 'M', 'TS 29.229 §6.3.13'],
  ['SIP-Item-Number', 613, 'Unsigned32', 'M', 'TS 29.229 §6.3.14'],
  ['Server-Assignment-Type', 614, 'Enumerated', 'M', 'TS 29.229 §6.3.15'],
  ['Deregistration-Reason', 615, 'Grouped', 'M', 'TS 29.229 §6.3.16'],
  ['Reason-Code', 616, 'Enumerated', 'M', 'TS 29.229 §6.3.17'],
  ['Reason-Info', 617, 'UTF8String', 'M', 'TS 29.229 §6.3.18'],
  ['Charging-Information', 618, 'Grouped', 'M', 'TS 29.229 §6.3.19'],
  ['Primary-Event-Charging-Function-Name', 619, 'DiameterURI', 'M', 'TS 29.229 §6.3.20'],
  ['Secondary-Event-Charging-Function-Name', 620, 'DiameterURI', 'M', 'TS 29.229 §6.3.21'],
  ['Primary-Charging-Collection-Function-Name', 621, 'DiameterURI', 'M', 'TS 29.229 §6.3.22'],
  ['Secondary-Charging-Collection-Function-Name', 622, 'DiameterURI', 'M', 'TS 29.229 §6.3.23'],
  ['User-Authorization-Type', 623, 'Enumerated', 'M', 'TS 29.229 §6.3.24'],
  ['User-Data-Already-Available', 624, 'Enumerated', 'M', 'TS 29.229 §6.3.26'],
  ['Confidentiality-Key', 625, 'OctetString', 'M', 'TS 29.229 §6.3.27'],
  ['Integrity-Key', 626, 'OctetString', 'M', 'TS 29.229 §6.3.28'],
  ['Supported-Features', 628, 'Grouped', 'm', 'TS 29.229 §6.3.29'],
  ['Feature-List-ID', 629, 'Unsigned32', '-', 'TS 29.229 §6.3.30'],
  ['Feature-List', 630, 'Unsigned32', '-', 'TS 29.229 §6.3.31'],
  ['Supported-Applications', 631, 'Grouped', '-', 'TS 29.229 §6.3.32'],
  ['Associated-Identities', 632, 'Grouped', '-', 'TS 29.229 §6.3.33'],
  ['Originating-Request', 633, 'Enumerated', 'M', 'TS 29.229 §6.3.34'],
  ['Wildcarded-Public-Identity', 634, 'UTF8String', '-', 'TS 29.229 §6.3.35'],
  ['SIP-Digest-Authenticate', 635, 'Grouped', '-', 'TS 29.229 §6.3.36'],
  ['Wildcarded-IMPU', 636, 'UTF8String', '-', 'TS 29.229 §6.3.43'],
  ['UAR-Flags', 637, 'Unsigned32', '-', 'TS 29.229 §6.3.44'],
  ['Loose-Route-Indication', 638, 'Enumerated', '-', 'TS 29.229 §6.3.45'],
  ['SCSCF-Restoration-Info', 639, 'Grouped', '-', 'TS 29.229 §6.3.46'],
  ['Path', 640, 'OctetString', '-', 'TS 29.229 §6.3.47'],
  ['Contact', 641, 'OctetString', '-', 'TS 29.229 §6.3.48'],
  ['Subscription-Info', 642, 'Grouped', '-', 'TS 29.229 §6.3.49'],
  ['Call-ID-SIP-Header', 643, 'OctetString', '-', 'TS 29.229 §6.3.49.1'],
  ['From-SIP-Header', 644, 'OctetString', '-', 'TS 29.229 §6.3.49.2'],
  ['To-SIP-Header', 645, 'OctetString', '-', 'TS 29.229 §6.3.49.3'],
  ['Record-Route', 646, 'OctetString', '-', 'TS 29.229 §6.3.49.4'],
  ['Associated-Registered-Identities', 647, 'Grouped', '-', 'TS 29.229 §6.3.50'],
  ['Multiple-Registration-Indication', 648, 'Enumerated', '-', 'TS 29.229 §6.3.51'],
  ['Restoration-Info', 649, 'Grouped', '-', 'TS 29.229 §6.3.52'],
  ['Session-Priority', 650, 'Enumerated', '-', 'TS 29.229 §6.3.56'],
  ['Identity-with-Emergency-Registration', 651, 'Grouped', '-', 'TS 29.229 §6.3.57'],
  ['Priviledged-Sender-Indication', 652, 'Enumerated', '-', 'TS 29.229 §6.3.58'],
  ['LIA-Flags', 653, 'Unsigned32', '-', 'TS 29.229 §6.3.59'],
  ['Initial-CSeq-Sequence-Number', 654, 'Unsigned32', '-', 'TS 29.229 §6.3.62'],
  ['SAR-Flags', 655, 'Unsigned32', '-', 'TS 29.229 §6.3.63'],
  ['Allowed-WAF-WWSF-Identities', 656, 'Grouped', '-', 'TS 29.229 §6.3.64'],
  ['WebRTC-Authentication-Function-Name', 657, 'UTF8String', '-', 'TS 29.229 §6.3.65'],
  ['WebRTC-Web-Server-Function-Name', 658, 'UTF8String', '-', 'TS 29.229 §6.3.66'],
  ['RTR-Flags', 659, 'Unsigned32', '-', 'TS 29.229 §6.3.69'],
];

export const CX_ENUMERATIONS: Record<string, Record<number, string>> = {
  /** §6.3.15 */
  'Server-Assignment-Type': {
    0: 'NO_ASSIGNMENT',
    1: 'REGISTRATION',
    2: 'RE_REGISTRATION',
    3: 'UNREGISTERED_USER',
    4: 'TIMEOUT_DEREGISTRATION',
    5: 'USER_DEREGISTRATION',
    6: 'TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME',
    7: 'USER_DEREGISTRATION_STORE_SERVER_NAME',
    8: 'ADMINISTRATIVE_DEREGISTRATION',
    9: 'AUTHENTICATION_FAILURE',
    10: 'AUTHENTICATION_TIMEOUT',
    11: 'DEREGISTRATION_TOO_MUCH_DATA',
    12: 'AAA_USER_DATA_REQUEST',
    13: 'PGW_UPDATE',
    14: 'RESTORATION',
  },
  /** §6.3.17 */
  'Reason-Code': {
    0: 'PERMANENT_TERMINATION',
    1: 'NEW_SERVER_ASSIGNED',
    2: 'SERVER_CHANGE',
    3: 'REMOVE_S-CSCF',
  },
  /** §6.3.24 */
  'User-Authorization-Type': {
    0: 'REGISTRATION',
    1: 'DE_REGISTRATION',
    2: 'REGISTRATION_AND_CAPABILITIES',
  },
  /** §6.3.26 */
  'User-Data-Already-Available': { 0: 'USER_DATA_NOT_AVAILABLE', 1: 'USER_DATA_ALREADY_AVAILABLE' },
  /** §6.3.34 */
  'Originating-Request': { 0: 'ORIGINATING' },
  /** §6.3.45 */
  'Loose-Route-Indication': { 0: 'LOOSE_ROUTE_NOT_REQUIRED', 1: 'LOOSE_ROUTE_REQUIRED' },
  /** §6.3.51 */
  'Multiple-Registration-Indication': {
    0: 'NOT_MULTIPLE_REGISTRATION',
    1: 'MULTIPLE_REGISTRATION',
  },
  /** §6.3.56 */
  'Session-Priority': {
    0: 'PRIORITY-0',
    1: 'PRIORITY-1',
    2: 'PRIORITY-2',
    3: 'PRIORITY-3',
    4: 'PRIORITY-4',
  },
  /** §6.3.58 */
  'Priviledged-Sender-Indication': { 0: 'NOT_PRIVILEDGED_SENDER', 1: 'PRIVILEDGED_SENDER' },
};

export const CX_GROUPED: string[] = [
  `Server-Capabilities ::= < AVP Header: 603 10415 >
     *[ Mandatory-Capability ] *[ Optional-Capability ] *[ Server-Name ] *[ AVP ]`,
  // Member list as in Wireshark TGPP.xml; §6.3.13 orders them per release.
  `SIP-Auth-Data-Item ::= < AVP Header: 612 10415 >
     [ SIP-Item-Number ] [ SIP-Authentication-Scheme ] [ SIP-Authenticate ] [ SIP-Authorization ]
     [ SIP-Authentication-Context ] [ Confidentiality-Key ] [ Integrity-Key ]
     [ SIP-Digest-Authenticate ] [ Framed-IP-Address ] [ Framed-IPv6-Prefix ]
     [ Framed-Interface-Id ] *[ Line-Identifier ] *[ AVP ]`,
  `Deregistration-Reason ::= < AVP Header: 615 10415 > { Reason-Code } [ Reason-Info ] *[ AVP ]`,
  `Charging-Information ::= < AVP Header: 618 10415 >
     [ Primary-Event-Charging-Function-Name ] [ Secondary-Event-Charging-Function-Name ]
     [ Primary-Charging-Collection-Function-Name ] [ Secondary-Charging-Collection-Function-Name ]
     *[ AVP ]`,
  `Supported-Features ::= < AVP Header: 628 10415 >
     { Vendor-Id } { Feature-List-ID } { Feature-List } *[ AVP ]`,
  `Supported-Applications ::= < AVP Header: 631 10415 >
     *[ Auth-Application-Id ] *[ Acct-Application-Id ] *[ Vendor-Specific-Application-Id ] *[ AVP ]`,
  `Associated-Identities ::= < AVP Header: 632 10415 > *[ User-Name ] *[ AVP ]`,
  `SIP-Digest-Authenticate ::= < AVP Header: 635 10415 >
     { Digest-Realm } [ Digest-Algorithm ] { Digest-QoP } { Digest-HA1 } *[ AVP ]`,
  `SCSCF-Restoration-Info ::= < AVP Header: 639 10415 >
     { User-Name } 1*{ Restoration-Info } [ SIP-Authentication-Scheme ] *[ AVP ]`,
  `Subscription-Info ::= < AVP Header: 642 10415 >
     { Call-ID-SIP-Header } { From-SIP-Header } { To-SIP-Header } { Record-Route } { Contact }
     *[ AVP ]`,
  `Associated-Registered-Identities ::= < AVP Header: 647 10415 > *[ User-Name ] *[ AVP ]`,
  `Restoration-Info ::= < AVP Header: 649 10415 >
     { Path } { Contact } [ Initial-CSeq-Sequence-Number ] [ Call-ID-SIP-Header ]
     [ Subscription-Info ] *[ AVP ]`,
  `Identity-with-Emergency-Registration ::= < AVP Header: 651 10415 >
     { User-Name } { Public-Identity } *[ AVP ]`,
  `Allowed-WAF-WWSF-Identities ::= < AVP Header: 656 10415 >
     *[ WebRTC-Authentication-Function-Name ] *[ WebRTC-Web-Server-Function-Name ] *[ AVP ]`,
];

/**
 * TS 29.229 §6.1.1–§6.1.12 command formats (Rel-13+ text). Omitted optional elements that
 * this dictionary does not define (they are accepted under *[ AVP ]): Failed-PCSCF in SAR.
 */
export const CX_COMMANDS: { name: string; request: string; answer: string }[] = [
  {
    name: 'User-Authorization',
    request: `<UAR> ::= < Diameter Header: 300, REQ, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } { Auth-Session-State }
      { Origin-Host } { Origin-Realm } [ Destination-Host ] { Destination-Realm }
      { User-Name } [ OC-Supported-Features ] *[ Supported-Features ]
      { Public-Identity } { Visited-Network-Identifier } [ User-Authorization-Type ]
      [ UAR-Flags ] *[ AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
    answer: `<UAA> ::= < Diameter Header: 300, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } [ Result-Code ]
      [ Experimental-Result ] { Auth-Session-State } { Origin-Host } { Origin-Realm }
      [ OC-Supported-Features ] [ OC-OLR ] *[ Load ] *[ Supported-Features ]
      [ Server-Name ] [ Server-Capabilities ] *[ AVP ] [ Failed-AVP ] *[ Proxy-Info ]
      *[ Route-Record ]`,
  },
  {
    name: 'Server-Assignment',
    request: `<SAR> ::= < Diameter Header: 301, REQ, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } { Auth-Session-State }
      { Origin-Host } { Origin-Realm } [ Destination-Host ] { Destination-Realm }
      [ User-Name ] [ OC-Supported-Features ] *[ Supported-Features ] *[ Public-Identity ]
      [ Wildcarded-Public-Identity ] { Server-Name } { Server-Assignment-Type }
      { User-Data-Already-Available } [ SCSCF-Restoration-Info ]
      [ Multiple-Registration-Indication ] [ Session-Priority ] [ SAR-Flags ]
      *[ AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
    answer: `<SAA> ::= < Diameter Header: 301, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } [ Result-Code ]
      [ Experimental-Result ] { Auth-Session-State } { Origin-Host } { Origin-Realm }
      [ User-Name ] [ OC-Supported-Features ] [ OC-OLR ] *[ Load ] *[ Supported-Features ]
      [ User-Data ] [ Charging-Information ] [ Associated-Identities ] [ Loose-Route-Indication ]
      *[ SCSCF-Restoration-Info ] [ Associated-Registered-Identities ] [ Server-Name ]
      [ Wildcarded-Public-Identity ] [ Priviledged-Sender-Indication ]
      [ Allowed-WAF-WWSF-Identities ] *[ AVP ] [ Failed-AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
  },
  {
    name: 'Location-Info',
    request: `<LIR> ::= < Diameter Header: 302, REQ, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } { Auth-Session-State }
      { Origin-Host } { Origin-Realm } [ Destination-Host ] { Destination-Realm }
      [ Originating-Request ] [ OC-Supported-Features ] *[ Supported-Features ]
      { Public-Identity } [ User-Authorization-Type ] [ Session-Priority ]
      *[ AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
    answer: `<LIA> ::= < Diameter Header: 302, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } [ Result-Code ]
      [ Experimental-Result ] { Auth-Session-State } { Origin-Host } { Origin-Realm }
      [ OC-Supported-Features ] [ OC-OLR ] *[ Load ] *[ Supported-Features ]
      [ Server-Name ] [ Server-Capabilities ] [ Wildcarded-Public-Identity ] [ LIA-Flags ]
      *[ AVP ] [ Failed-AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
  },
  {
    name: 'Multimedia-Auth',
    request: `<MAR> ::= < Diameter Header: 303, REQ, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } { Auth-Session-State }
      { Origin-Host } { Origin-Realm } { Destination-Realm } [ Destination-Host ]
      { User-Name } [ OC-Supported-Features ] *[ Supported-Features ] { Public-Identity }
      { SIP-Auth-Data-Item } { SIP-Number-Auth-Items } { Server-Name }
      *[ AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
    answer: `<MAA> ::= < Diameter Header: 303, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } [ Result-Code ]
      [ Experimental-Result ] { Auth-Session-State } { Origin-Host } { Origin-Realm }
      [ User-Name ] [ OC-Supported-Features ] [ OC-OLR ] *[ Load ] *[ Supported-Features ]
      [ Public-Identity ] [ SIP-Number-Auth-Items ] *[ SIP-Auth-Data-Item ]
      *[ AVP ] [ Failed-AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
  },
  {
    // Rel-13+ text has no Destination-Host; older releases had { Destination-Host }. The HSS
    // addresses one S-CSCF, so it is accepted (optional) here.
    name: 'Registration-Termination',
    request: `<RTR> ::= < Diameter Header: 304, REQ, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } { Auth-Session-State }
      { Origin-Host } { Origin-Realm } [ Destination-Host ] { Destination-Realm }
      { User-Name } [ Associated-Identities ] *[ Supported-Features ] *[ Public-Identity ]
      { Deregistration-Reason } [ RTR-Flags ] *[ AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
    answer: `<RTA> ::= < Diameter Header: 304, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } [ Result-Code ]
      [ Experimental-Result ] { Auth-Session-State } { Origin-Host } { Origin-Realm }
      [ Associated-Identities ] *[ Supported-Features ] *[ Identity-with-Emergency-Registration ]
      *[ AVP ] [ Failed-AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
  },
  {
    name: 'Push-Profile',
    request: `<PPR> ::= < Diameter Header: 305, REQ, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } { Auth-Session-State }
      { Origin-Host } { Origin-Realm } { Destination-Host } { Destination-Realm }
      { User-Name } *[ Supported-Features ] [ User-Data ] [ Charging-Information ]
      [ SIP-Auth-Data-Item ] [ Allowed-WAF-WWSF-Identities ]
      *[ AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
    answer: `<PPA> ::= < Diameter Header: 305, PXY, 16777216 >
      < Session-Id > [ DRMP ] { Vendor-Specific-Application-Id } [ Result-Code ]
      [ Experimental-Result ] { Auth-Session-State } { Origin-Host } { Origin-Realm }
      *[ Supported-Features ] *[ AVP ] [ Failed-AVP ] *[ Proxy-Info ] *[ Route-Record ]`,
  },
];

/** TS 29.229 §6.3.15 Server-Assignment-Type. */
export enum ServerAssignmentType {
  NO_ASSIGNMENT = 0,
  REGISTRATION = 1,
  RE_REGISTRATION = 2,
  UNREGISTERED_USER = 3,
  TIMEOUT_DEREGISTRATION = 4,
  USER_DEREGISTRATION = 5,
  TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME = 6,
  USER_DEREGISTRATION_STORE_SERVER_NAME = 7,
  ADMINISTRATIVE_DEREGISTRATION = 8,
  AUTHENTICATION_FAILURE = 9,
  AUTHENTICATION_TIMEOUT = 10,
  DEREGISTRATION_TOO_MUCH_DATA = 11,
  AAA_USER_DATA_REQUEST = 12,
  PGW_UPDATE = 13,
  RESTORATION = 14,
}

/** TS 29.229 §6.3.24 User-Authorization-Type. */
export enum UserAuthorizationType {
  REGISTRATION = 0,
  DE_REGISTRATION = 1,
  REGISTRATION_AND_CAPABILITIES = 2,
}

/** TS 29.229 §6.3.17 Reason-Code (in Deregistration-Reason). */
export enum DeregistrationReasonCode {
  PERMANENT_TERMINATION = 0,
  NEW_SERVER_ASSIGNED = 1,
  SERVER_CHANGE = 2,
  REMOVE_S_CSCF = 3,
}

/** TS 29.229 §6.3.26 User-Data-Already-Available. */
export enum UserDataAlreadyAvailable {
  USER_DATA_NOT_AVAILABLE = 0,
  USER_DATA_ALREADY_AVAILABLE = 1,
}
