import { AbsoluteUri } from './absolute-uri';
import { unescapeOctets } from './escape';
import { Uri, parseUri } from './parse-uri';
import { SipUri } from './sip-uri';
import { TelUri } from './tel-uri';

/**
 * RFC 3261 §19.1.4 URI comparison; RFC 3966 §4 for tel URIs; other schemes compare as
 * strings with a case-insensitive scheme. Strings are parsed first (a malformed one throws).
 */
export function uriEquals(a: Uri | string, b: Uri | string): boolean {
  const x = typeof a === 'string' ? parseUri(a) : a;
  const y = typeof b === 'string' ? parseUri(b) : b;
  if (x instanceof SipUri && y instanceof SipUri) return sipUriEquals(x, y);
  if (x instanceof TelUri && y instanceof TelUri) return telUriEquals(x, y);
  if (x instanceof AbsoluteUri && y instanceof AbsoluteUri)
    return x.scheme.toLowerCase() === y.scheme.toLowerCase() && x.value === y.value;
  return false;
}

/** §19.1.4: parameters that, present in only one URI, make the URIs differ. */
const MUST_MATCH = ['user', 'ttl', 'method', 'maddr', 'transport'];

function sipUriEquals(a: SipUri, b: SipUri): boolean {
  // "A SIP and SIPS URI are never equivalent."
  if (a.scheme !== b.scheme) return false;
  // "Comparison of the userinfo of SIP and SIPS URIs is case-sensitive" (after unescaping).
  if (opt(a.user) !== opt(b.user) || opt(a.password) !== opt(b.password)) return false;
  // "comparisons of ... domain names ... are case-insensitive"
  if (a.host.toLowerCase() !== b.host.toLowerCase()) return false;
  // "A URI omitting any component with a default value will not match a URI explicitly
  // containing that component with its default value" (port 5060 vs none).
  if (a.port !== b.port) return false;
  for (const name of MUST_MATCH) {
    if (a.params.has(name) !== b.params.has(name)) return false;
  }
  // "Any uri-parameter appearing in both URIs must match."
  for (const [name, va] of a.params) {
    if (!b.params.has(name)) continue;
    if (!paramValueEquals(va, b.params.get(name) ?? null)) return false;
  }
  // "URI header components are never ignored ... must be present in both and match."
  if (!a.hasHeaders && !b.hasHeaders) return true;
  if (a.headers.size !== b.headers.size) return false;
  const hb = new Map<string, string>();
  for (const [k, v] of b.headers) hb.set(unescapeOctets(k).toLowerCase(), unescapeOctets(v));
  for (const [k, v] of a.headers) {
    if (hb.get(unescapeOctets(k).toLowerCase()) !== unescapeOctets(v)) return false;
  }
  return true;
}

function opt(v: string | undefined): string | undefined {
  return v === undefined ? undefined : unescapeOctets(v);
}

function paramValueEquals(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return unescapeOctets(a).toLowerCase() === unescapeOctets(b).toLowerCase();
}

function telUriEquals(a: TelUri, b: TelUri): boolean {
  // RFC 3966 §4: numbers compared digit by digit without visual separators, parameters as a
  // set with case-insensitive names and values.
  if (a.digits.toLowerCase() !== b.digits.toLowerCase()) return false;
  if (a.params.size !== b.params.size) return false;
  for (const [name, va] of a.params) {
    if (!b.params.has(name) || !paramValueEquals(va, b.params.get(name) ?? null)) return false;
  }
  return true;
}
