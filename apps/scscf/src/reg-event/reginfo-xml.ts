/**
 * The `application/reginfo+xml` document of the reg event package, RFC 3680 §5.3 (schema)
 * and §5.2 (processing): one `<registration>` per address-of-record with its state
 * (init | active | terminated) and its `<contact>` elements (state active | terminated, and
 * the event that brought them there).
 */
import { ContactEvent } from '../registration/binding';

export const REGINFO_CONTENT_TYPE = 'application/reginfo+xml';
export const REGINFO_NS = 'urn:ietf:params:xml:ns:reginfo';

export interface ReginfoContact {
  id: string;
  state: 'active' | 'terminated';
  event: ContactEvent;
  /** Seconds left (active contacts, RFC 3680 §5.3 `expires`). */
  expires?: number;
  /** Seconds since the contact was registered (`duration-registered`). */
  durationRegistered?: number;
  uri: string;
  displayName?: string;
}

export interface ReginfoRegistration {
  /** The address-of-record: an IMPU of the implicit set. */
  aor: string;
  id: string;
  state: 'init' | 'active' | 'terminated';
  contacts: ReginfoContact[];
}

export interface Reginfo {
  /** RFC 3680 §5.2: "incremented by one for each NOTIFY sent" within the subscription. */
  version: number;
  state: 'full' | 'partial';
  registrations: ReginfoRegistration[];
}

/** XML 1.0 character escaping for text and double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Serialises a reginfo document (UTF-8, RFC 3680 §5.3 element and attribute names). */
export function buildReginfoXml(info: Reginfo): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<reginfo xmlns="${REGINFO_NS}" version="${info.version}" state="${info.state}">`,
  ];
  for (const r of info.registrations) {
    const open = `  <registration aor="${escapeXml(r.aor)}" id="${escapeXml(r.id)}" state="${r.state}"`;
    if (r.contacts.length === 0) {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`);
    for (const c of r.contacts) {
      const attrs = [
        `id="${escapeXml(c.id)}"`,
        `state="${c.state}"`,
        `event="${c.event}"`,
        c.expires !== undefined ? `expires="${c.expires}"` : undefined,
        c.durationRegistered !== undefined
          ? `duration-registered="${c.durationRegistered}"`
          : undefined,
      ].filter((a): a is string => a !== undefined);
      lines.push(`    <contact ${attrs.join(' ')}>`);
      lines.push(`      <uri>${escapeXml(c.uri)}</uri>`);
      if (c.displayName !== undefined) {
        lines.push(`      <display-name>${escapeXml(c.displayName)}</display-name>`);
      }
      lines.push('    </contact>');
    }
    lines.push('  </registration>');
  }
  lines.push('</reginfo>');
  return lines.join('\n') + '\n';
}
