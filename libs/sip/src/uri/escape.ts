/**
 * RFC 3261 §19.1.2 / §25.1 `escaped = "%" HEXDIG HEXDIG`. URI components are kept as written;
 * these helpers decode them when a value is needed (never recursively: RFC 4475 §3.1.1.3,
 * "value%2541" decodes to "value%41", not "valueA").
 */

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function decodeBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && i + 2 < text.length) {
      const h = hex(text.charCodeAt(i + 1));
      const l = hex(text.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        bytes.push(h * 16 + l);
        i += 2;
        continue;
      }
    }
    if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(text[i], 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes);
}

/** Decodes %HH escapes once and reads the octets as UTF-8 (`%00` stays a NUL, never a cut). */
export function unescapeUri(text: string): string {
  if (text.indexOf('%') < 0) return text;
  return decodeBytes(text).toString('utf8');
}

/** Octet-exact decoding (each octet one char), for comparisons (RFC 3261 §19.1.4). */
export function unescapeOctets(text: string): string {
  if (text.indexOf('%') < 0) return text;
  return decodeBytes(text).toString('latin1');
}

/** Percent-encodes every character for which `allowed(charCode)` is false (as UTF-8 octets). */
export function escapeUri(text: string, allowed: (c: number) => boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80 && allowed(c)) {
      out += text[i];
      continue;
    }
    for (const b of Buffer.from(text[i], 'utf8'))
      out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
