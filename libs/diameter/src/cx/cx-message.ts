/**
 * What every Cx message shares (TS 29.229 §6.1): Session-Id first, Vendor-Specific-Application-Id
 * { Vendor-Id 10415, Auth-Application-Id 16777216 }, Auth-Session-State NO_STATE_MAINTAINED
 * ("the Cx interface is stateless", TS 29.229 §6.1), the routing AVPs, and the outcome of an
 * answer as Result-Code or Experimental-Result { Vendor-Id 10415, Experimental-Result-Code }.
 */
import { Avp } from '../codec/avp';
import { DiameterDecodeError } from '../codec/diameter-error';
import { DiameterMessage } from '../codec/diameter-message';
import { createSessionId } from '../codec/identifiers';
import { avp, createAnswer, createRequest } from '../codec/message-builder';
import { CX_APPLICATION_ID, VENDOR_3GPP } from '../dictionary/cx-application';
import { dictionary } from '../dictionary/dictionary';
import { ResultCode } from '../dictionary/result-codes';
import { missingAvpExample } from '../validation/validate-request';

/** RFC 6733 §8.11: Auth-Session-State NO_STATE_MAINTAINED. */
export const NO_STATE_MAINTAINED = 1;

/** The routing fields of every Cx request, as parsed. */
export interface CxRequestHeader {
  sessionId: string;
  originHost: string;
  originRealm: string;
  destinationRealm: string;
  destinationHost?: string;
}

/** Builder input: the Session-Id is generated (RFC 6733 §8.8) when not given. */
export type CxRequestInit<T extends CxRequestHeader> = Omit<T, 'sessionId'> & {
  sessionId?: string;
};

/** The outcome of every Cx answer, as parsed. */
export interface CxAnswerResult {
  /** Result-Code, or Experimental-Result-Code when `experimental`. */
  resultCode: number;
  /** True when the outcome came in Experimental-Result (vendor 10415). */
  experimental: boolean;
  sessionId?: string;
  originHost?: string;
  originRealm?: string;
}

/** Builder input of an answer; Origin-Host/Realm may be left to the DiameterNode that sends it. */
export interface CxAnswerInit {
  resultCode: number;
  experimental?: boolean;
  originHost?: string;
  originRealm?: string;
}

export function cxVendorSpecificApplicationId(): Avp {
  return sameAvp('Vendor-Specific-Application-Id', 'cx', () =>
    avp('Vendor-Specific-Application-Id', {
      'Vendor-Id': VENDOR_3GPP,
      'Auth-Application-Id': CX_APPLICATION_ID,
    }),
  );
}

/**
 * AVPs every Cx request of a node repeats with the same value (its Origin-Host and -Realm, the
 * Destination-Realm, Auth-Session-State, the Vendor-Specific-Application-Id), encoded once and
 * shared: an Avp is never changed after it is built, and encoding copies its bytes.
 */
const shared = new Map<string, Map<string | number, Avp>>();
/** Bound on the distinct values kept per AVP name (a node has one or a few of each). */
const SHARED_MAX = 64;

function sameAvp(
  name: string,
  value: string | number,
  build: () => Avp = () => avp(name, value),
): Avp {
  let byValue = shared.get(name);
  if (!byValue) shared.set(name, (byValue = new Map()));
  let a = byValue.get(value);
  if (!a) {
    a = build();
    if (byValue.size >= SHARED_MAX) byValue.clear();
    byValue.set(value, a);
  }
  return a;
}

/**
 * A Cx request: < Session-Id > { Vendor-Specific-Application-Id } { Auth-Session-State }
 * { Origin-Host } { Origin-Realm } [ Destination-Host ] { Destination-Realm } then `body`.
 */
export function cxRequest(
  command: string,
  h: CxRequestInit<CxRequestHeader>,
  body: (Avp | undefined)[],
): DiameterMessage {
  const avps: Avp[] = [
    avp('Session-Id', h.sessionId ?? createSessionId(h.originHost)),
    cxVendorSpecificApplicationId(),
    sameAvp('Auth-Session-State', NO_STATE_MAINTAINED),
    sameAvp('Origin-Host', h.originHost),
    sameAvp('Origin-Realm', h.originRealm),
  ];
  if (h.destinationHost) avps.push(sameAvp('Destination-Host', h.destinationHost));
  avps.push(sameAvp('Destination-Realm', h.destinationRealm));
  for (const a of body) if (a) avps.push(a);
  return createRequest(command, 'Cx', avps);
}

/** The outcome AVP: Result-Code, or Experimental-Result { 10415, code } when `experimental`. */
export function resultAvp(resultCode: number, experimental = false): Avp {
  return experimental
    ? sameAvp('Experimental-Result', resultCode, () =>
        avp('Experimental-Result', {
          'Vendor-Id': VENDOR_3GPP,
          'Experimental-Result-Code': resultCode,
        }),
      )
    : sameAvp('Result-Code', resultCode);
}

/**
 * A Cx answer: < Session-Id > { Vendor-Specific-Application-Id } [ Result-Code ]
 * [ Experimental-Result ] { Auth-Session-State } { Origin-Host } { Origin-Realm } then `body`.
 */
export function cxAnswer(
  req: DiameterMessage,
  a: CxAnswerInit,
  body: (Avp | undefined)[],
): DiameterMessage {
  const avps: Avp[] = [cxVendorSpecificApplicationId(), resultAvp(a.resultCode, a.experimental)];
  avps.push(sameAvp('Auth-Session-State', NO_STATE_MAINTAINED));
  if (a.originHost) avps.push(sameAvp('Origin-Host', a.originHost));
  if (a.originRealm) avps.push(sameAvp('Origin-Realm', a.originRealm));
  for (const x of body) if (x) avps.push(x);
  return createAnswer(req, avps);
}

/** A parse failure naming the missing AVP: answer it with 5005 DIAMETER_MISSING_AVP. */
export function missing(name: string, where: string): DiameterDecodeError {
  return new DiameterDecodeError(
    `${where} misses ${name}`,
    ResultCode.MISSING_AVP,
    missingAvpExample(dictionary.avpByName(name)!),
  );
}

function wrongType(a: Avp, where: string): DiameterDecodeError {
  return new DiameterDecodeError(
    `${where}: ${a.name} has an unexpected value`,
    ResultCode.INVALID_AVP_VALUE,
    a,
  );
}

/** Typed readers over a message or a Grouped AVP. */
interface AvpContainer {
  find(name: string): Avp | undefined;
  findAll(name: string): Avp[];
}

export function optString(c: AvpContainer, name: string, where: string): string | undefined {
  const a = c.find(name);
  if (!a) return undefined;
  const v = a.value;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  throw wrongType(a, where);
}

export function reqString(c: AvpContainer, name: string, where: string): string {
  const v = optString(c, name, where);
  if (v === undefined) throw missing(name, where);
  return v;
}

export function allStrings(c: AvpContainer, name: string, where: string): string[] {
  return c.findAll(name).map((a) => {
    const v = a.value;
    if (typeof v === 'string') return v;
    if (Buffer.isBuffer(v)) return v.toString('utf8');
    throw wrongType(a, where);
  });
}

export function optNumber(c: AvpContainer, name: string, where: string): number | undefined {
  const a = c.find(name);
  if (!a) return undefined;
  const v = a.value;
  if (typeof v !== 'number') throw wrongType(a, where);
  return v;
}

export function reqNumber(c: AvpContainer, name: string, where: string): number {
  const v = optNumber(c, name, where);
  if (v === undefined) throw missing(name, where);
  return v;
}

export function allNumbers(c: AvpContainer, name: string, where: string): number[] {
  return c.findAll(name).map((a) => {
    if (typeof a.value !== 'number') throw wrongType(a, where);
    return a.value;
  });
}

export function optBuffer(c: AvpContainer, name: string, where: string): Buffer | undefined {
  const a = c.find(name);
  if (!a) return undefined;
  const v = a.value;
  if (!Buffer.isBuffer(v)) throw wrongType(a, where);
  return v;
}

export function parseRequestHeader(msg: DiameterMessage, where: string): CxRequestHeader {
  return {
    sessionId: reqString(msg, 'Session-Id', where),
    originHost: reqString(msg, 'Origin-Host', where),
    originRealm: reqString(msg, 'Origin-Realm', where),
    destinationRealm: reqString(msg, 'Destination-Realm', where),
    destinationHost: optString(msg, 'Destination-Host', where),
  };
}

export function parseAnswerResult(msg: DiameterMessage, where: string): CxAnswerResult {
  const resultCode = msg.resultCode();
  if (resultCode === undefined) throw missing('Result-Code', where);
  return {
    resultCode,
    experimental: msg.isExperimentalResult(),
    sessionId: msg.sessionId(),
    originHost: optString(msg, 'Origin-Host', where),
    originRealm: optString(msg, 'Origin-Realm', where),
  };
}

/** TS 29.229 §6.3.4 Server-Capabilities. */
export interface ServerCapabilities {
  mandatory: number[];
  optional: number[];
  serverNames: string[];
}

export function serverCapabilitiesAvp(c: ServerCapabilities | undefined): Avp | undefined {
  if (!c) return undefined;
  return avp('Server-Capabilities', {
    'Mandatory-Capability': c.mandatory,
    'Optional-Capability': c.optional,
    'Server-Name': c.serverNames,
  });
}

export function parseServerCapabilities(
  msg: DiameterMessage,
  where: string,
): ServerCapabilities | undefined {
  const g = msg.find('Server-Capabilities');
  if (!g) return undefined;
  return {
    mandatory: allNumbers(g, 'Mandatory-Capability', where),
    optional: allNumbers(g, 'Optional-Capability', where),
    serverNames: allStrings(g, 'Server-Name', where),
  };
}

/** TS 29.229 §6.3.19 Charging-Information: the charging function addresses (DiameterURI). */
export interface ChargingInformation {
  primaryEventChargingFunctionName?: string;
  secondaryEventChargingFunctionName?: string;
  primaryChargingCollectionFunctionName?: string;
  secondaryChargingCollectionFunctionName?: string;
}

export function chargingInformationAvp(c: ChargingInformation | undefined): Avp | undefined {
  if (!c) return undefined;
  return avp('Charging-Information', {
    'Primary-Event-Charging-Function-Name': c.primaryEventChargingFunctionName,
    'Secondary-Event-Charging-Function-Name': c.secondaryEventChargingFunctionName,
    'Primary-Charging-Collection-Function-Name': c.primaryChargingCollectionFunctionName,
    'Secondary-Charging-Collection-Function-Name': c.secondaryChargingCollectionFunctionName,
  });
}

export function parseChargingInformation(
  msg: DiameterMessage,
  where: string,
): ChargingInformation | undefined {
  const g = msg.find('Charging-Information');
  if (!g) return undefined;
  const out: ChargingInformation = {};
  const set = (key: keyof ChargingInformation, name: string) => {
    const v = optString(g, name, where);
    if (v !== undefined) out[key] = v;
  };
  set('primaryEventChargingFunctionName', 'Primary-Event-Charging-Function-Name');
  set('secondaryEventChargingFunctionName', 'Secondary-Event-Charging-Function-Name');
  set('primaryChargingCollectionFunctionName', 'Primary-Charging-Collection-Function-Name');
  set('secondaryChargingCollectionFunctionName', 'Secondary-Charging-Collection-Function-Name');
  return out;
}

/** TS 29.229 §6.3.33 Associated-Identities: the private identities (User-Name) of the IMS subscription. */
export function associatedIdentitiesAvp(ids: string[] | undefined): Avp | undefined {
  return ids ? avp('Associated-Identities', { 'User-Name': ids }) : undefined;
}

export function parseAssociatedIdentities(
  msg: DiameterMessage,
  where: string,
): string[] | undefined {
  const g = msg.find('Associated-Identities');
  return g ? allStrings(g, 'User-Name', where) : undefined;
}

/** Optional AVP helper: undefined in, undefined out. */
export function opt<T>(
  name: string,
  value: T | undefined,
  map?: (v: T) => Parameters<typeof avp>[1],
): Avp | undefined {
  return value === undefined
    ? undefined
    : avp(name, map ? map(value) : (value as Parameters<typeof avp>[1]));
}

/** Checks the application of a message a Cx parser is given. */
export function expectCommand(msg: DiameterMessage, abbreviation: string): void {
  const cmd = dictionary.commandByName(abbreviation)!;
  if (
    msg.commandCode !== cmd.code ||
    msg.flags.request !== cmd.request ||
    msg.applicationId !== CX_APPLICATION_ID
  ) {
    throw new DiameterDecodeError(
      `expected ${cmd.name}, got command ${msg.commandCode} (application ${msg.applicationId})`,
      ResultCode.COMMAND_UNSUPPORTED,
    );
  }
}
