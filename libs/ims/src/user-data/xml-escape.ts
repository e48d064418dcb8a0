/**
 * Escapes character data for element content (XML 1.0 §2.4): "&" and "<" must be escaped,
 * ">" is escaped too so that "]]>" never appears; CR is written as a character reference so
 * it survives line-end normalisation (§2.11).
 */
export function escapeXmlText(text: string): string {
  return text.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  );
}

/** Escapes an attribute value for double quotes (§3.1, §3.3.3: keep TAB/LF/CR as references). */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}
