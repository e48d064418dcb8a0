/**
 * Header field names: case-insensitive (RFC 3261 §7.3.1), with compact forms (§7.3.3 and the
 * IANA "Header Fields" registry). Lookups use a key: the lower-cased full name.
 */

/** RFC 3261 §7.3.3 compact forms plus later registrations (RFC 3265, 3515, 3841, 3892, 4028, 4474). */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'accept-contact', // RFC 3841
  b: 'referred-by', // RFC 3892
  c: 'content-type',
  d: 'request-disposition', // RFC 3841
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact', // RFC 3841
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info', // RFC 4474
  o: 'event', // RFC 3265
  r: 'refer-to', // RFC 3515
  s: 'subject',
  t: 'to',
  u: 'allow-events', // RFC 3265
  v: 'via',
  x: 'session-expires', // RFC 4028
  y: 'identity', // RFC 4474
};

const CANONICAL_LIST = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'Date',
  'Error-Info',
  'Event',
  'Expires',
  'From',
  'History-Info',
  'Identity',
  'Identity-Info',
  'In-Reply-To',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'P-Access-Network-Info',
  'P-Asserted-Identity',
  'P-Associated-URI',
  'P-Called-Party-ID',
  'P-Charging-Function-Addresses',
  'P-Charging-Vector',
  'P-Preferred-Identity',
  'P-Visited-Network-ID',
  'Path',
  'Priority',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Refer-To',
  'Referred-By',
  'Reject-Contact',
  'Reply-To',
  'Request-Disposition',
  'Require',
  'Retry-After',
  'Route',
  'RSeq',
  'Security-Client',
  'Security-Server',
  'Security-Verify',
  'Server',
  'Service-Route',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Supported',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
];

const CANONICAL = new Map<string, string>(CANONICAL_LIST.map((n) => [n.toLowerCase(), n]));

/**
 * Header names as written -> their key, for names already seen (bounded; the well-known ones
 * and their compact forms are there from the start). Every field of a given header then holds
 * the same key string, so key comparisons are mostly pointer comparisons, and a received name
 * costs one lookup instead of a lower-casing and a token check.
 */
const KEYS = new Map<string, string>();
const MAX_KEYS = 1024;

/** The lookup key of a header name: lower-cased, compact forms expanded. */
export function headerKey(name: string): string {
  const hit = KEYS.get(name);
  if (hit !== undefined) return hit;
  const lower = name.toLowerCase();
  const computed = lower.length === 1 ? (COMPACT_FORMS[lower] ?? lower) : lower;
  const key = KEYS.get(computed) ?? computed;
  if (KEYS.size < MAX_KEYS) KEYS.set(name, key);
  return key;
}

/** A header name as usually written, with its key. */
export interface KnownName {
  readonly name: string;
  readonly key: string;
}

/** Known spellings by shape: index (first letter a-z) * 64 + length. */
// Filled with undefined up front: an array grown by assigning far indexes would fall back to
// dictionary elements, a hash lookup per header line.
const BY_SHAPE: (KnownName[] | undefined)[] = new Array<KnownName[] | undefined>(26 * 64).fill(
  undefined,
);

function shapeOf(firstLower: number, length: number): number {
  return (firstLower - 0x61) * 64 + length;
}

/**
 * The known header name written at text[start, end), matched in place: the canonical
 * spelling ("Call-ID"), all lower case, or a compact form. Undefined for anything else (other
 * capitalisations, unknown headers), which the caller then checks and keys itself. A parser
 * thus keys the usual names without cutting or hashing a string.
 */
export function matchKnownName(text: string, start: number, end: number): KnownName | undefined {
  const length = end - start;
  const first = text.charCodeAt(start) | 0x20;
  if (length >= 64 || first < 0x61 || first > 0x7a) return undefined;
  const candidates = BY_SHAPE[shapeOf(first, length)];
  if (candidates === undefined) return undefined;
  for (let i = 0; i < candidates.length; i++)
    if (text.startsWith(candidates[i].name, start)) return candidates[i];
  return undefined;
}

for (const name of CANONICAL_LIST) {
  const key = name.toLowerCase();
  KEYS.set(key, key);
  KEYS.set(name, key);
  KEYS.set(name.toUpperCase(), key);
}
for (const [letter, full] of Object.entries(COMPACT_FORMS)) {
  const key = KEYS.get(full) ?? full;
  KEYS.set(letter, key);
  KEYS.set(letter.toUpperCase(), key);
}

function addKnown(name: string, key: string): void {
  const shape = shapeOf(name.charCodeAt(0) | 0x20, name.length);
  const list = (BY_SHAPE[shape] ??= []);
  if (!list.some((k) => k.name === name)) list.push({ name, key });
}
for (const name of CANONICAL_LIST) {
  const key = KEYS.get(name)!;
  addKnown(name, key);
  addKnown(key, key);
}
for (const [letter, full] of Object.entries(COMPACT_FORMS)) {
  const key = KEYS.get(full)!;
  addKnown(letter, key);
  addKnown(letter.toUpperCase(), key);
}

/** The conventional spelling of a header name ("call-id" -> "Call-ID"; unknown names as given). */
export function canonicalName(name: string): string {
  return CANONICAL.get(headerKey(name)) ?? name;
}

/**
 * Headers whose grammar is a comma-separated list (RFC 3261 §7.3.1: "Multiple header field
 * rows with the same field-name MAY be present ... if the entire field-value for that header
 * field is defined to be a comma-separated list"). Everything else - including the
 * authentication headers, whose parameters are comma-separated, and unknown headers - is a
 * single value per header line.
 */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'history-info',
  'in-reply-to',
  'p-access-network-info',
  'p-asserted-identity',
  'p-associated-uri',
  'p-preferred-identity',
  'p-visited-network-id',
  'path',
  'privacy',
  'proxy-require',
  'reason',
  'record-route',
  'reject-contact',
  'request-disposition',
  'require',
  'route',
  'security-client',
  'security-server',
  'security-verify',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);
