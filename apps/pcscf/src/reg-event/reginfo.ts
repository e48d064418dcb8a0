import { childElements, parseXml, textContent, type XmlElement } from '@lib/ims';

/** One `<registration>` of an RFC 3680 reginfo document. */
export interface ReginfoRegistration {
  aor: string;
  /** RFC 3680 §5.3: init | active | terminated. */
  state: string;
  contacts: { uri: string; state: string; event?: string }[];
}

export interface Reginfo {
  version?: number;
  /** full | partial. */
  state?: string;
  registrations: ReginfoRegistration[];
}

/**
 * Reads an `application/reginfo+xml` body (RFC 3680 §5.3): registrations with their aor and
 * state, and each contact's URI, state and event. Throws XmlError when the body is not
 * well-formed or not a reginfo document.
 */
export function parseReginfo(body: string): Reginfo {
  const root = parseXml(body);
  if (local(root) !== 'reginfo') throw new Error(`expected <reginfo>, got <${root.name}>`);
  const version =
    root.attributes.version !== undefined ? Number(root.attributes.version) : undefined;
  return {
    version,
    state: root.attributes.state,
    registrations: children(root, 'registration').map((r) => ({
      aor: r.attributes.aor ?? '',
      state: r.attributes.state ?? '',
      contacts: children(r, 'contact').map((c) => ({
        uri: children(c, 'uri').map((u) => textContent(u).trim())[0] ?? '',
        state: c.attributes.state ?? '',
        event: c.attributes.event,
      })),
    })),
  };
}

function local(el: XmlElement): string {
  return el.name.slice(el.name.indexOf(':') + 1);
}

function children(el: XmlElement, name: string): XmlElement[] {
  return childElements(el).filter((c) => local(c) === name);
}
