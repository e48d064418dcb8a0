import { SipParseError } from '../errors/sip-parse-error';
import { AbsoluteUri } from './absolute-uri';
import { unescapeUri } from './escape';
import { SipUri } from './sip-uri';
import { TelUri } from './tel-uri';
import { HNV, HOST, PARAMCHAR, PASSWORD, PHONE, USER, allIn, escapesValid } from './uri-chars';

export type Uri = SipUri | TelUri | AbsoluteUri;

function fail(detail: string, header?: string, statusCode = 400): never {
  throw new SipParseError(`malformed URI: ${detail}`, { header, statusCode });
}

/**
 * Length of a valid `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` prefix followed by
 * ":", or -1.
 */
export function schemeLength(text: string): number {
  const c0 = text.charCodeAt(0) | 0x20;
  if (!(c0 >= 0x61 && c0 <= 0x7a)) return -1;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a) return i;
    const l = c | 0x20;
    if (
      (l >= 0x61 && l <= 0x7a) ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2b ||
      c === 0x2d ||
      c === 0x2e
    )
      continue;
    return -1;
  }
  return -1;
}

/** Parses a URI: sip/sips (RFC 3261 §19.1), tel (RFC 3966), anything else as AbsoluteUri. */
export function parseUri(text: string, header?: string): Uri {
  const colon = schemeLength(text);
  if (colon < 0) fail(`no scheme in "${text.slice(0, 40)}"`, header);
  const scheme = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest, header);
  if (scheme === 'tel') return parseTelUri(rest, header);
  if (rest.length === 0) fail('empty URI', header);
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x3c || c === 0x3e || c === 0x22)
      fail('illegal character', header);
  }
  return new AbsoluteUri(scheme, rest);
}

function parseSipUri(scheme: 'sip' | 'sips', s: string, header?: string): SipUri {
  const uri = new SipUri({ scheme, host: '' });
  let pos = 0;
  const at = s.indexOf('@');
  if (at >= 0) {
    const colon = s.indexOf(':');
    const userEnd = colon >= 0 && colon < at ? colon : at;
    if (userEnd === 0 || !allIn(USER, s, 0, userEnd)) fail('bad user part', header);
    uri.user = s.slice(0, userEnd);
    if (userEnd < at) {
      if (!allIn(PASSWORD, s, userEnd + 1, at)) fail('bad password', header);
      uri.password = s.slice(userEnd + 1, at);
    }
    if (!escapesValid(s.slice(0, at))) fail('bad escape in userinfo', header);
    pos = at + 1;
  }
  // host = hostname / IPv4address / IPv6reference
  if (s.charCodeAt(pos) === 0x5b /* [ */) {
    const close = s.indexOf(']', pos);
    if (close < 0) fail('unterminated IPv6 reference', header);
    const v6 = s.slice(pos + 1, close);
    if (v6.length < 2 || !isIPv6(v6)) fail('bad IPv6 reference', header);
    uri.host = v6;
    pos = close + 1;
  } else {
    const start = pos;
    while (pos < s.length) {
      const c = s.charCodeAt(pos);
      if (c >= 128 || HOST[c] !== 1) break;
      pos++;
    }
    if (pos === start) fail('missing host', header);
    uri.host = s.slice(start, pos);
  }
  if (s.charCodeAt(pos) === 0x3a /* : */) {
    const start = ++pos;
    while (pos < s.length && s.charCodeAt(pos) >= 0x30 && s.charCodeAt(pos) <= 0x39) pos++;
    const port = pos > start && pos - start <= 5 ? Number(s.slice(start, pos)) : NaN;
    if (!(port <= 65535)) fail('bad port', header);
    uri.port = port;
  }
  // uri-parameters = *( ";" uri-parameter )
  while (s.charCodeAt(pos) === 0x3b) {
    const start = ++pos;
    while (pos < s.length && s.charCodeAt(pos) !== 0x3b && s.charCodeAt(pos) !== 0x3f) pos++;
    const p = s.slice(start, pos);
    const eq = p.indexOf('=');
    const name = eq < 0 ? p : p.slice(0, eq);
    if (
      name.length === 0 ||
      !allIn(PARAMCHAR, name) ||
      (eq >= 0 && !allIn(PARAMCHAR, p, eq + 1)) ||
      !escapesValid(p)
    )
      fail('bad uri-parameter', header);
    if (eq >= 0 && eq === p.length - 1) fail('empty uri-parameter value', header);
    uri.params.set(unescapeUri(name).toLowerCase(), eq < 0 ? null : p.slice(eq + 1));
  }
  // headers = "?" header *( "&" header ), header = hname "=" hvalue
  if (s.charCodeAt(pos) === 0x3f) {
    pos++;
    for (const h of s.slice(pos).split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0 || !allIn(HNV, h, 0, eq) || !allIn(HNV, h, eq + 1) || !escapesValid(h))
        fail('bad URI header', header);
      uri.headers.set(h.slice(0, eq), h.slice(eq + 1));
    }
    pos = s.length;
  }
  if (pos !== s.length) fail(`unexpected "${s.slice(pos, pos + 12)}"`, header);
  return uri;
}

function isIPv6(s: string): boolean {
  // Loose RFC 3261 IPv6address check: hex groups, ":" and "::", optional dotted IPv4 tail.
  let colons = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3a) colons++;
    else if (!(
      (c >= 0x30 && c <= 0x39) ||
      ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) ||
      c === 0x2e
    ))
      return false;
  }
  return colons >= 2 && colons <= 7;
}

function parseTelUri(s: string, header?: string): TelUri {
  const semi = s.indexOf(';');
  const number = semi < 0 ? s : s.slice(0, semi);
  // global-number-digits = "+" *phonedigit DIGIT *phonedigit (digits and separators only);
  // local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex.
  const global = number.startsWith('+');
  const digitsPart = global ? number.slice(1) : number;
  if (!allIn(PHONE, digitsPart)) fail('bad tel number', header);
  let digits = 0;
  for (let i = 0; i < digitsPart.length; i++) {
    const c = digitsPart.charCodeAt(i);
    const isDigit = c >= 0x30 && c <= 0x39;
    if (global && !isDigit && PHONE[c] === 1 && !'-.()'.includes(digitsPart[i]))
      fail('bad global tel number', header);
    if (isDigit || (!global && !'-.()'.includes(digitsPart[i]))) digits++;
  }
  if (digits === 0) fail('tel number without digits', header);
  const uri = new TelUri(number);
  if (semi >= 0) {
    for (const p of s.slice(semi + 1).split(';')) {
      const eq = p.indexOf('=');
      const name = eq < 0 ? p : p.slice(0, eq);
      if (
        name.length === 0 ||
        !allIn(PARAMCHAR, name) ||
        (eq >= 0 && !allIn(PARAMCHAR, p, eq + 1)) ||
        !escapesValid(p)
      )
        fail('bad tel parameter', header);
      uri.params.set(name.toLowerCase(), eq < 0 ? null : p.slice(eq + 1));
    }
  }
  return uri;
}
