import {
  ApplicationServer,
  InitialFilterCriteria,
  ServicePointTrigger,
  SptCondition,
  TriggerPoint,
} from '../ifc';
import {
  DEFAULT_HANDLING_CODES,
  IDENTITY_TYPE_CODES,
  PROFILE_PART_INDICATOR_CODES,
  REGISTRATION_TYPE_CODES,
  SESSION_CASE_CODES,
} from './user-data-codes';
import { ImsSubscription, PublicIdentity, ServiceProfile } from './ims-subscription';
import { UserDataError } from './user-data-error';
import { childElements, parseXml, textContent, XmlElement } from './xml-parser';
import { XmlError } from './xml-error';

/**
 * The one empty iFC list every service profile without iFCs shares (frozen: never grown): an
 * array object less (32 bytes) per profile the S-CSCF keeps for a registration.
 */
const NO_IFCS = Object.freeze([]) as unknown as InitialFilterCriteria[];

/** The local part of a possibly prefixed element name. */
function local(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function children(el: XmlElement, name: string): XmlElement[] {
  return childElements(el).filter((c) => local(c.name) === name);
}

function optional(el: XmlElement, name: string, path: string): XmlElement | undefined {
  const list = children(el, name);
  if (list.length > 1) throw new UserDataError(`${path}/${name}`, 'occurs more than once');
  return list[0];
}

function one(el: XmlElement, name: string, path: string): XmlElement {
  const found = optional(el, name, path);
  if (!found) throw new UserDataError(`${path}/${name}`, 'is missing');
  return found;
}

/** Text with surrounding white space removed (xs:anyURI, tokens, numbers). */
function token(el: XmlElement, path: string): string {
  const t = textContent(el).trim();
  if (t === '') throw new UserDataError(`${path}/${el.name}`, 'is empty');
  return t;
}

function optionalToken(el: XmlElement, name: string, path: string): string | undefined {
  const e = optional(el, name, path);
  return e === undefined ? undefined : token(e, path);
}

/** xs:boolean: "0", "1", "false", "true". */
function bool(el: XmlElement, path: string): boolean {
  const t = textContent(el).trim();
  if (t === '1' || t === 'true') return true;
  if (t === '0' || t === 'false') return false;
  throw new UserDataError(`${path}/${el.name}`, `is not a boolean: "${t}"`);
}

function int(el: XmlElement, path: string): number {
  const t = textContent(el).trim();
  if (!/^\+?\d{1,10}$/.test(t) || Number(t) > 0x7fffffff) {
    throw new UserDataError(`${path}/${el.name}`, `is not a non-negative integer: "${t}"`);
  }
  return Number(t);
}

function code<T>(el: XmlElement, codes: readonly T[], path: string): T {
  const n = int(el, path);
  if (n >= codes.length) throw new UserDataError(`${path}/${el.name}`, `has unknown value ${n}`);
  return codes[n];
}

function publicIdentity(el: XmlElement, path: string): PublicIdentity {
  const identity = token(one(el, 'Identity', path), path);
  const barring = optional(el, 'BarringIndication', path);
  const barringIndication = barring ? bool(barring, path) : undefined;
  let identityType: PublicIdentity['identityType'];
  let wildcardedPsi: string | undefined;
  let displayName: string | undefined;
  const ext = optional(el, 'Extension', path);
  if (ext) {
    const type = optional(ext, 'IdentityType', `${path}/Extension`);
    if (type) identityType = code(type, IDENTITY_TYPE_CODES, `${path}/Extension`);
    wildcardedPsi = optionalToken(ext, 'WildcardedPSI', `${path}/Extension`);
    const inner = optional(ext, 'Extension', `${path}/Extension`);
    const name = inner && optional(inner, 'DisplayName', `${path}/Extension/Extension`);
    if (name) displayName = textContent(name);
  }
  // One object literal with every field (absent ones undefined): fields added one by one
  // after `{ identity }` went to a separate property array, 40 bytes more per identity that
  // the S-CSCF keeps for the lifetime of each registration.
  if (wildcardedPsi === undefined && displayName === undefined) {
    return { identity, barringIndication, identityType };
  }
  return { identity, barringIndication, identityType, wildcardedPsi, displayName };
}

function spt(el: XmlElement, path: string): ServicePointTrigger {
  const negated = optional(el, 'ConditionNegated', path);
  const groups = children(el, 'Group').map((g) => int(g, path));
  if (groups.length === 0) throw new UserDataError(`${path}/Group`, 'is missing');
  const found: SptCondition[] = [];
  const method = optional(el, 'Method', path);
  if (method) found.push({ kind: 'method', method: token(method, path) });
  const uri = optional(el, 'RequestURI', path);
  if (uri) found.push({ kind: 'request-uri', requestUri: textContent(uri) });
  const header = optional(el, 'SIPHeader', path);
  if (header) {
    const content = optional(header, 'Content', `${path}/SIPHeader`);
    found.push({
      kind: 'sip-header',
      header: token(one(header, 'Header', `${path}/SIPHeader`), `${path}/SIPHeader`),
      ...(content ? { content: textContent(content) } : {}),
    });
  }
  const sessionCase = optional(el, 'SessionCase', path);
  if (sessionCase) {
    found.push({ kind: 'session-case', sessionCase: code(sessionCase, SESSION_CASE_CODES, path) });
  }
  const sdp = optional(el, 'SessionDescription', path);
  if (sdp) {
    const content = optional(sdp, 'Content', `${path}/SessionDescription`);
    found.push({
      kind: 'session-description',
      line: token(one(sdp, 'Line', `${path}/SessionDescription`), `${path}/SessionDescription`),
      ...(content ? { content: textContent(content) } : {}),
    });
  }
  if (found.length !== 1) {
    throw new UserDataError(
      path,
      'must have exactly one of RequestURI, Method, SIPHeader, SessionCase, SessionDescription',
    );
  }
  const result: ServicePointTrigger = {
    ...found[0],
    conditionNegated: negated ? bool(negated, path) : false,
    groups,
  };
  const ext = optional(el, 'Extension', path);
  if (ext) {
    const types = children(ext, 'RegistrationType').map((t) =>
      code(t, REGISTRATION_TYPE_CODES, `${path}/Extension`),
    );
    if (types.length > 0) result.registrationTypes = types;
  }
  return result;
}

function triggerPoint(el: XmlElement, path: string): TriggerPoint {
  const spts = children(el, 'SPT').map((s, i) => spt(s, `${path}/SPT[${i}]`));
  if (spts.length === 0) throw new UserDataError(`${path}/SPT`, 'is missing');
  return { conditionTypeCnf: bool(one(el, 'ConditionTypeCNF', path), path), spts };
}

function applicationServer(el: XmlElement, path: string): ApplicationServer {
  const as: ApplicationServer = { serverName: token(one(el, 'ServerName', path), path) };
  const dh = optional(el, 'DefaultHandling', path);
  if (dh) as.defaultHandling = code(dh, DEFAULT_HANDLING_CODES, path);
  const info = optional(el, 'ServiceInfo', path);
  if (info) as.serviceInfo = textContent(info);
  const ext = optional(el, 'Extension', path);
  if (ext) {
    if (optional(ext, 'IncludeRegisterRequest', `${path}/Extension`)) {
      as.includeRegisterRequest = true;
    }
    if (optional(ext, 'IncludeRegisterResponse', `${path}/Extension`)) {
      as.includeRegisterResponse = true;
    }
  }
  return as;
}

function ifc(el: XmlElement, path: string): InitialFilterCriteria {
  const tp = optional(el, 'TriggerPoint', path);
  const ppi = optional(el, 'ProfilePartIndicator', path);
  return {
    priority: int(one(el, 'Priority', path), path),
    ...(tp ? { triggerPoint: triggerPoint(tp, `${path}/TriggerPoint`) } : {}),
    applicationServer: applicationServer(
      one(el, 'ApplicationServer', path),
      `${path}/ApplicationServer`,
    ),
    ...(ppi ? { profilePartIndicator: code(ppi, PROFILE_PART_INDICATOR_CODES, path) } : {}),
  };
}

function serviceProfile(el: XmlElement, path: string): ServiceProfile {
  const publicIdentities = children(el, 'PublicIdentity').map((p, i) =>
    publicIdentity(p, `${path}/PublicIdentity[${i}]`),
  );
  if (publicIdentities.length === 0)
    throw new UserDataError(`${path}/PublicIdentity`, 'is missing');
  const ifcs = children(el, 'InitialFilterCriteria');
  const sp: ServiceProfile = {
    publicIdentities,
    initialFilterCriteria:
      ifcs.length === 0
        ? NO_IFCS
        : ifcs.map((f, i) => ifc(f, `${path}/InitialFilterCriteria[${i}]`)),
  };
  const cnsa = optional(el, 'CoreNetworkServicesAuthorization', path);
  if (cnsa) {
    const id = optional(
      cnsa,
      'SubscribedMediaProfileId',
      `${path}/CoreNetworkServicesAuthorization`,
    );
    sp.coreNetworkServicesAuthorization = id ? { subscribedMediaProfileId: int(id, path) } : {};
  }
  const ext = optional(el, 'Extension', path);
  if (ext) {
    const shared = children(ext, 'SharedIFCSetID').map((s) => int(s, `${path}/Extension`));
    if (shared.length > 0) sp.sharedIfcSetIds = shared;
  }
  return sp;
}

/**
 * Reads an IMSSubscription User-Data document (TS 29.228 Annex E) into the model. Unknown
 * elements (later-release extensions) are ignored; missing required elements, bad values
 * and malformed XML raise a {@link UserDataError} naming the element.
 */
export function parseImsSubscription(xml: string | Buffer): ImsSubscription {
  let root: XmlElement;
  try {
    root = parseXml(typeof xml === 'string' ? xml : xml.toString('utf8'));
  } catch (e) {
    if (e instanceof XmlError) throw new UserDataError('(document)', e.message);
    throw e;
  }
  const path = 'IMSSubscription';
  if (local(root.name) !== 'IMSSubscription') {
    throw new UserDataError(path, `expected as the root element, found <${root.name}>`);
  }
  const serviceProfiles = children(root, 'ServiceProfile').map((sp, i) =>
    serviceProfile(sp, `${path}/ServiceProfile[${i}]`),
  );
  if (serviceProfiles.length === 0) throw new UserDataError(`${path}/ServiceProfile`, 'is missing');
  return { privateId: token(one(root, 'PrivateID', path), path), serviceProfiles };
}
