import {
  ApplicationServer,
  InitialFilterCriteria,
  ServicePointTrigger,
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
import { escapeXmlText } from './xml-escape';

/** A node of the document being written: a leaf with text, or an element with children. */
type Out = { name: string; text: string } | { name: string; children: Out[] };

// XML 1.0 §2.2: characters a document cannot carry at all.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function leaf(path: string, name: string, value: string): Out {
  if (typeof value !== 'string') throw new UserDataError(`${path}/${name}`, 'must be a string');
  if (NOT_XML.test(value)) {
    throw new UserDataError(`${path}/${name}`, 'contains a character XML cannot carry');
  }
  return { name, text: value };
}

function required(path: string, name: string, value: string | undefined): Out {
  if (value === undefined || value.trim() === '')
    throw new UserDataError(`${path}/${name}`, 'is required');
  return leaf(path, name, value);
}

function int(path: string, name: string, value: number): Out {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new UserDataError(`${path}/${name}`, 'must be an integer 0..2147483647');
  }
  return { name, text: String(value) };
}

function bool(name: string, value: boolean): Out {
  return { name, text: value ? '1' : '0' };
}

function code<T>(path: string, name: string, codes: readonly T[], value: T): Out {
  const i = codes.indexOf(value);
  if (i < 0) throw new UserDataError(`${path}/${name}`, `has an unknown value "${String(value)}"`);
  return { name, text: String(i) };
}

function el(name: string, children: (Out | undefined | false)[]): Out {
  return { name, children: children.filter((c): c is Out => !!c) };
}

function publicIdentity(path: string, p: PublicIdentity): Out {
  const innerExtension =
    p.displayName !== undefined && el('Extension', [leaf(path, 'DisplayName', p.displayName)]);
  const hasExtension =
    p.identityType !== undefined || p.wildcardedPsi !== undefined || p.displayName !== undefined;
  return el('PublicIdentity', [
    p.barringIndication !== undefined && bool('BarringIndication', p.barringIndication),
    required(path, 'Identity', p.identity),
    hasExtension &&
      el('Extension', [
        p.identityType !== undefined &&
          code(path, 'IdentityType', IDENTITY_TYPE_CODES, p.identityType),
        p.wildcardedPsi !== undefined && leaf(path, 'WildcardedPSI', p.wildcardedPsi),
        innerExtension,
      ]),
  ]);
}

function spt(path: string, s: ServicePointTrigger): Out {
  if (!Array.isArray(s.groups) || s.groups.length === 0) {
    throw new UserDataError(`${path}/Group`, 'at least one Group is required');
  }
  let condition: Out;
  switch (s.kind) {
    case 'method':
      condition = required(path, 'Method', s.method);
      break;
    case 'request-uri':
      condition = required(path, 'RequestURI', s.requestUri);
      break;
    case 'sip-header':
      condition = el('SIPHeader', [
        required(path, 'Header', s.header),
        s.content !== undefined && leaf(path, 'Content', s.content),
      ]);
      break;
    case 'session-case':
      condition = code(path, 'SessionCase', SESSION_CASE_CODES, s.sessionCase);
      break;
    case 'session-description':
      condition = el('SessionDescription', [
        required(path, 'Line', s.line),
        s.content !== undefined && leaf(path, 'Content', s.content),
      ]);
      break;
    default:
      throw new UserDataError(path, `has an unknown SPT kind "${(s as { kind: string }).kind}"`);
  }
  const regTypes = s.registrationTypes ?? [];
  return el('SPT', [
    bool('ConditionNegated', s.conditionNegated),
    ...s.groups.map((g) => int(path, 'Group', g)),
    condition,
    regTypes.length > 0 &&
      el(
        'Extension',
        regTypes.map((t) => code(path, 'RegistrationType', REGISTRATION_TYPE_CODES, t)),
      ),
  ]);
}

function triggerPoint(path: string, tp: TriggerPoint): Out {
  if (!Array.isArray(tp.spts) || tp.spts.length === 0) {
    throw new UserDataError(`${path}/SPT`, 'at least one SPT is required');
  }
  return el('TriggerPoint', [
    bool('ConditionTypeCNF', tp.conditionTypeCnf),
    ...tp.spts.map((s, i) => spt(`${path}/SPT[${i}]`, s)),
  ]);
}

function applicationServer(path: string, as: ApplicationServer): Out {
  const ext = as.includeRegisterRequest || as.includeRegisterResponse;
  return el('ApplicationServer', [
    required(path, 'ServerName', as.serverName),
    as.defaultHandling !== undefined &&
      code(path, 'DefaultHandling', DEFAULT_HANDLING_CODES, as.defaultHandling),
    as.serviceInfo !== undefined && leaf(path, 'ServiceInfo', as.serviceInfo),
    ext &&
      el('Extension', [
        as.includeRegisterRequest && el('IncludeRegisterRequest', []),
        as.includeRegisterResponse && el('IncludeRegisterResponse', []),
      ]),
  ]);
}

function ifc(path: string, i: InitialFilterCriteria): Out {
  if (!i.applicationServer) throw new UserDataError(`${path}/ApplicationServer`, 'is required');
  return el('InitialFilterCriteria', [
    int(path, 'Priority', i.priority),
    i.triggerPoint !== undefined && triggerPoint(`${path}/TriggerPoint`, i.triggerPoint),
    applicationServer(`${path}/ApplicationServer`, i.applicationServer),
    i.profilePartIndicator !== undefined &&
      code(path, 'ProfilePartIndicator', PROFILE_PART_INDICATOR_CODES, i.profilePartIndicator),
  ]);
}

function serviceProfile(path: string, sp: ServiceProfile): Out {
  if (!Array.isArray(sp.publicIdentities) || sp.publicIdentities.length === 0) {
    throw new UserDataError(`${path}/PublicIdentity`, 'at least one PublicIdentity is required');
  }
  const cnsa = sp.coreNetworkServicesAuthorization;
  const shared = sp.sharedIfcSetIds ?? [];
  return el('ServiceProfile', [
    ...sp.publicIdentities.map((p, i) => publicIdentity(`${path}/PublicIdentity[${i}]`, p)),
    cnsa !== undefined &&
      el('CoreNetworkServicesAuthorization', [
        cnsa.subscribedMediaProfileId !== undefined &&
          int(path, 'SubscribedMediaProfileId', cnsa.subscribedMediaProfileId),
      ]),
    ...(sp.initialFilterCriteria ?? []).map((f, i) =>
      ifc(`${path}/InitialFilterCriteria[${i}]`, f),
    ),
    shared.length > 0 &&
      el(
        'Extension',
        shared.map((id) => int(path, 'SharedIFCSetID', id)),
      ),
  ]);
}

function serialize(node: Out, depth: number, indent: string, out: string[]): void {
  const pad = indent.repeat(depth);
  if ('text' in node) {
    out.push(`${pad}<${node.name}>${escapeXmlText(node.text)}</${node.name}>`);
  } else if (node.children.length === 0) {
    out.push(`${pad}<${node.name}/>`);
  } else {
    out.push(`${pad}<${node.name}>`);
    for (const c of node.children) serialize(c, depth + 1, indent, out);
    out.push(`${pad}</${node.name}>`);
  }
}

/** Options of {@link generateImsSubscription}. */
export interface GenerateUserDataOptions {
  /** Indentation per level (default two spaces); "" writes one element per line, unindented. */
  indent?: string;
}

/**
 * Writes the IMSSubscription User-Data XML (TS 29.228 Annex E, element order of the
 * xs:sequence), UTF-8, with an XML declaration. Text is escaped; a model that the schema
 * cannot express (no PublicIdentity, an SPT without Group, ...) raises a
 * {@link UserDataError}. `includeRegisterRequest/Response: false` is written as absent.
 */
export function generateImsSubscription(
  subscription: ImsSubscription,
  options: GenerateUserDataOptions = {},
): string {
  const path = 'IMSSubscription';
  if (!subscription || !Array.isArray(subscription.serviceProfiles)) {
    throw new UserDataError(path, 'must have serviceProfiles');
  }
  if (subscription.serviceProfiles.length === 0) {
    throw new UserDataError(`${path}/ServiceProfile`, 'at least one ServiceProfile is required');
  }
  const root = el('IMSSubscription', [
    required(path, 'PrivateID', subscription.privateId),
    ...subscription.serviceProfiles.map((sp, i) =>
      serviceProfile(`${path}/ServiceProfile[${i}]`, sp),
    ),
  ]);
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  serialize(root, 0, options.indent ?? '  ', lines);
  return lines.join('\n') + '\n';
}
