/** Reads an application/reginfo+xml body (RFC 3680 §5.3) with the libs/ims XML parser. */
import { childElements, parseXml, textContent } from '@lib/ims';
import type { SipRequest } from '@lib/sip';

export interface ReadReginfo {
  version: number;
  state: string;
  registrations: {
    aor: string;
    state: string;
    contacts: { state: string; event: string; expires?: number; uri: string }[];
  }[];
}

export function readReginfo(notify: SipRequest): ReadReginfo {
  const root = parseXml(notify.body.toString('utf8'));
  if (root.name !== 'reginfo') throw new Error(`not a reginfo document: <${root.name}>`);
  return {
    version: Number(root.attributes.version),
    state: root.attributes.state,
    registrations: childElements(root, 'registration').map((r) => ({
      aor: r.attributes.aor,
      state: r.attributes.state,
      contacts: childElements(r, 'contact').map((c) => ({
        state: c.attributes.state,
        event: c.attributes.event,
        expires: c.attributes.expires === undefined ? undefined : Number(c.attributes.expires),
        uri: textContent(childElements(c, 'uri')[0]).trim(),
      })),
    })),
  };
}
