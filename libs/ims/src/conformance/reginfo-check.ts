/**
 * Reads a reg-event NOTIFY body for the conformance checks (RFC 3680 §5): the reginfo root in
 * the `urn:ietf:params:xml:ns:reginfo` namespace with its version and state, each
 * registration's aor, id and state, each contact's id, state, event and URI. Unlike a lenient
 * reader in an element, it reports what makes a document non-conformant.
 */
import { childElements, parseXml, textContent, XmlElement } from '../user-data';

export const REGINFO_NS = 'urn:ietf:params:xml:ns:reginfo';

export interface ReginfoContact {
  uri: string;
  state: string;
  event?: string;
}

export interface ReginfoRegistration {
  aor: string;
  state: string;
  contacts: ReginfoContact[];
}

export interface Reginfo {
  version?: number;
  state?: string;
  registrations: ReginfoRegistration[];
}

export type ReginfoCheck =
  { ok: true; reginfo: Reginfo } | { ok: false; error: string; reginfo: Reginfo };

const REGISTRATION_STATES = new Set(['init', 'active', 'terminated']);
const CONTACT_STATES = new Set(['active', 'terminated']);
const CONTACT_EVENTS = new Set([
  'registered',
  'created',
  'refreshed',
  'shortened',
  'expired',
  'deactivated',
  'probation',
  'unregistered',
  'rejected',
]);

export function checkReginfo(body: string): ReginfoCheck {
  const empty: Reginfo = { registrations: [] };
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch (err) {
    return { ok: false, error: `not well-formed XML: ${(err as Error).message}`, reginfo: empty };
  }
  const prefix = prefixOf(root.name);
  const ns = root.attributes[prefix ? `xmlns:${prefix}` : 'xmlns'];
  const reginfo: Reginfo = {
    version: /^\d+$/.test(root.attributes.version ?? '')
      ? Number(root.attributes.version)
      : undefined,
    state: root.attributes.state,
    registrations: [],
  };
  const fail = (error: string): ReginfoCheck => ({ ok: false, error, reginfo });
  if (local(root.name) !== 'reginfo') return fail(`root element is <${root.name}>, not <reginfo>`);
  if (ns !== REGINFO_NS) return fail(`reginfo namespace is "${ns ?? ''}", not ${REGINFO_NS}`);
  if (reginfo.version === undefined) return fail('reginfo has no numeric version attribute');
  if (reginfo.state !== 'full' && reginfo.state !== 'partial') {
    return fail(`reginfo state is "${reginfo.state ?? ''}", not full or partial`);
  }
  for (const r of named(root, 'registration')) {
    const reg: ReginfoRegistration = {
      aor: r.attributes.aor ?? '',
      state: r.attributes.state ?? '',
      contacts: [],
    };
    reginfo.registrations.push(reg);
    if (!reg.aor || !r.attributes.id) return fail('a <registration> lacks aor or id');
    if (!REGISTRATION_STATES.has(reg.state))
      return fail(`registration ${reg.aor} has state "${reg.state}"`);
    for (const c of named(r, 'contact')) {
      const uris = named(c, 'uri').map((u) => textContent(u).trim());
      const contact: ReginfoContact = {
        uri: uris[0] ?? '',
        state: c.attributes.state ?? '',
        event: c.attributes.event,
      };
      reg.contacts.push(contact);
      if (uris.length !== 1 || !contact.uri) return fail(`a contact of ${reg.aor} lacks its <uri>`);
      if (!c.attributes.id) return fail(`contact ${contact.uri} lacks id`);
      if (!CONTACT_STATES.has(contact.state))
        return fail(`contact ${contact.uri} has state "${contact.state}"`);
      if (!contact.event || !CONTACT_EVENTS.has(contact.event)) {
        return fail(`contact ${contact.uri} has event "${contact.event ?? ''}"`);
      }
    }
  }
  return { ok: true, reginfo };
}

function prefixOf(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? '' : name.slice(0, i);
}

function local(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

function named(el: XmlElement, name: string): XmlElement[] {
  return childElements(el).filter((c) => local(c.name) === name);
}
