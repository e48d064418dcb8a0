import { IfcError } from './ifc-error';
import {
  IfcProfile,
  InitialFilterCriteria,
  RegistrationType,
  ServicePointTrigger,
  SessionCase,
  TriggerPoint,
} from './ifc-model';

/**
 * What iFC evaluation needs to know about a request. Deliberately free of SIP stack types so
 * that the S-CSCF (or a test) adapts whatever message model it has.
 */
export interface IfcRequestView {
  /** The request method, e.g. `INVITE`. */
  method: string;
  /** The Request-URI as text, e.g. `sip:bob@example.com;user=phone`. */
  requestUri: string;
  /** All values of the named header (any case); an empty array when absent. */
  headers(name: string): string[];
  /**
   * The names of the headers present, needed only for SIPHeader SPTs whose Header is a
   * regular expression rather than a plain name.
   */
  headerNames?(): string[];
  /** The session case the S-CSCF is serving (TS 23.218 §6.x, TS 29.228 Annex C). */
  sessionCase: SessionCase;
  /** The SDP body as lines (`m=audio 49170 RTP/AVP 0`, ...), empty when there is no SDP. */
  sdpLines?: string[];
  /** For REGISTER: which kind of registration this is (SPT RegistrationType). */
  registrationType?: RegistrationType;
  /**
   * Whether the served user is registered, for ProfilePartIndicator. Derived from the
   * session case when omitted (the `-unregistered` cases mean unregistered).
   */
  registered?: boolean;
}

/** A Header that is a plain header name rather than a pattern (no regex metacharacters). */
const PLAIN_NAME = /^[A-Za-z0-9-]+$/;

function compile(source: string, flags: string, ifc: InitialFilterCriteria, what: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (e) {
    throw new IfcError(
      ifc.priority,
      `invalid regular expression in ${what}: ${(e as Error).message}`,
    );
  }
}

/**
 * The part of the Request-URI TS 29.228 Annex F (Table F.1) matches RequestURI against:
 * hostport of a SIP URI, the telephone number of a tel URI.
 */
function requestUriParts(uri: string): string[] {
  const text = uri.trim();
  const m = /^(sips?):(?:[^@;?]*@)?([^;?]+)/i.exec(text);
  if (m) return [m[2], text];
  const t = /^tel:([^;]+)/i.exec(text);
  if (t) return [t[1], text];
  return [text];
}

/** Whether one SPT (ignoring ConditionNegated) holds for the request (TS 29.228 Annex B.2.2). */
function sptHolds(
  spt: ServicePointTrigger,
  req: IfcRequestView,
  ifc: InitialFilterCriteria,
): boolean {
  switch (spt.kind) {
    case 'method': {
      // Method: "the SIP method ... e.g. INVITE"; SIP methods are case-sensitive (RFC 3261 §7.1).
      if (req.method !== spt.method) return false;
      if (
        spt.method !== 'REGISTER' ||
        !spt.registrationTypes ||
        spt.registrationTypes.length === 0
      ) {
        return true;
      }
      return (
        req.registrationType !== undefined && spt.registrationTypes.includes(req.registrationType)
      );
    }
    case 'request-uri': {
      // RequestURI is a regular expression (Annex F), searched in the hostport / number
      // (Table F.1) and, for leniency, the whole Request-URI.
      const re = compile(spt.requestUri, '', ifc, 'RequestURI');
      return requestUriParts(req.requestUri).some((part) => re.test(part));
    }
    case 'sip-header': {
      // SIPHeader: Header names the header (a regular expression, matched against the whole
      // name, case-insensitively); Content, when present, is searched in each value;
      // without Content the SPT holds when the header is present.
      const content =
        spt.content === undefined ? undefined : compile(spt.content, '', ifc, 'SIPHeader/Content');
      let names: string[];
      if (PLAIN_NAME.test(spt.header)) {
        names = [spt.header];
      } else {
        const nameRe = compile(`^(?:${spt.header})$`, 'i', ifc, 'SIPHeader/Header');
        names = (req.headerNames?.() ?? []).filter((n) => nameRe.test(n));
      }
      return names.some((name) => {
        const values = req.headers(name);
        if (values.length === 0) return false;
        return content === undefined || values.some((v) => content.test(v));
      });
    }
    case 'session-case':
      return req.sessionCase === spt.sessionCase;
    case 'session-description': {
      // SessionDescription: Line is matched against the SDP line type (the character before
      // "="), Content, when present, is searched in the rest of that line.
      const line = compile(`^(?:${spt.line})$`, '', ifc, 'SessionDescription/Line');
      const content =
        spt.content === undefined
          ? undefined
          : compile(spt.content, '', ifc, 'SessionDescription/Content');
      return (req.sdpLines ?? []).some((l) => {
        const eq = l.indexOf('=');
        if (eq !== 1) return false;
        if (!line.test(l[0])) return false;
        return content === undefined || content.test(l.slice(2));
      });
    }
  }
}

/**
 * Evaluates a Trigger Point (TS 29.228 Annex B.2.2 "ConditionTypeCNF"): each SPT's result
 * (inverted when ConditionNegated) is placed in every group it names; in DNF each group is
 * the AND of its SPTs and the trigger point the OR of its groups; in CNF each group is the
 * OR of its SPTs and the trigger point the AND of its groups.
 */
export function triggerPointMatches(
  tp: TriggerPoint,
  req: IfcRequestView,
  ifc: InitialFilterCriteria,
): boolean {
  const groups = new Map<number, boolean[]>();
  for (const spt of tp.spts) {
    const result = sptHolds(spt, req, ifc) !== spt.conditionNegated;
    const ids = spt.groups.length > 0 ? spt.groups : [0];
    for (const g of ids) {
      const list = groups.get(g) ?? [];
      list.push(result);
      groups.set(g, list);
    }
  }
  if (groups.size === 0) return true;
  const values = [...groups.values()];
  return tp.conditionTypeCnf
    ? values.every((group) => group.some(Boolean))
    : values.some((group) => group.every(Boolean));
}

function isRegistered(req: IfcRequestView): boolean {
  if (req.registered !== undefined) return req.registered;
  return (
    req.sessionCase !== 'terminating-unregistered' && req.sessionCase !== 'originating-unregistered'
  );
}

/** Whether one iFC applies to the request (ProfilePartIndicator, then the Trigger Point). */
export function ifcMatches(ifc: InitialFilterCriteria, req: IfcRequestView): boolean {
  if (ifc.profilePartIndicator !== undefined) {
    const registered = isRegistered(req);
    if ((ifc.profilePartIndicator === 'registered') !== registered) return false;
  }
  return ifc.triggerPoint === undefined || triggerPointMatches(ifc.triggerPoint, req, ifc);
}

/**
 * The iFCs of a service profile that match the request, sorted by Priority (lowest value
 * first, TS 29.228 Annex B.2.2: "the higher the Priority Number the lower the priority").
 * The S-CSCF contacts their application servers in this order (TS 23.218 §6.4).
 * Raises an {@link IfcError} for an iFC that cannot be evaluated (invalid regex).
 */
export function matchIfcs(profile: IfcProfile, req: IfcRequestView): InitialFilterCriteria[] {
  return [...profile.initialFilterCriteria]
    .sort((a, b) => a.priority - b.priority)
    .filter((ifc) => ifcMatches(ifc, req));
}
