import { SipParseError } from '../errors/sip-parse-error';
import { Uri, parseUri, schemeLength } from '../uri/parse-uri';
import { Scanner, TOKEN, formatParams, isWs, quote, unquote } from './grammar';

/**
 * RFC 3261 §25.1 `name-addr / addr-spec` followed by header parameters, as in From, To,
 * Contact, Route, Record-Route, Path (RFC 3327), Service-Route (RFC 3608),
 * P-Asserted-Identity (RFC 3325), P-Associated-URI (RFC 3455):
 *
 *     name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
 *     display-name = *(token LWS) / quoted-string
 */
export class NameAddr {
  /** Display name: a quoted-string's content with quoted-pairs resolved, or the tokens. */
  displayName?: string;
  /** The URI text as written (still %-escaped). */
  uri: string;
  /** Header parameters (`;tag=...`): lower-cased names, values as written (quotes kept). */
  params: Map<string, string | null>;
  /**
   * The URI parsed, with the text it was parsed from: set by parsedUri() as a property that
   * is not enumerable, so two NameAddr values still compare by their fields alone.
   */
  declare private parsed?: { text: string; uri: Uri };

  constructor(
    uri: string | Uri,
    params: Map<string, string | null> = new Map(),
    displayName?: string,
  ) {
    this.uri = typeof uri === 'string' ? uri : uri.toString();
    this.params = params;
    this.displayName = displayName;
  }

  /** RFC 3261 §19.3 `tag` parameter of From / To. */
  get tag(): string | undefined {
    return this.params.get('tag') ?? undefined;
  }

  set tag(value: string | undefined) {
    if (value === undefined) this.params.delete('tag');
    else this.params.set('tag', value);
  }

  /** The URI parsed (cached); throws SipParseError when malformed. */
  parsedUri(): Uri {
    const cached = this.parsed;
    if (cached !== undefined && cached.text === this.uri) return cached.uri;
    const uri = parseUri(this.uri);
    Object.defineProperty(this, 'parsed', {
      value: { text: this.uri, uri },
      configurable: true,
      enumerable: false,
    });
    return uri;
  }

  clone(): NameAddr {
    return new NameAddr(this.uri, new Map(this.params), this.displayName);
  }

  /** Always the name-addr form (`<uri>`), which is safe for every URI. */
  toString(): string {
    return `${formatDisplayName(this.displayName)}<${this.uri}>${formatParams(this.params)}`;
  }
}

function formatDisplayName(name: string | undefined): string {
  if (name === undefined || name === '') return '';
  let tokens = true;
  for (let i = 0; i < name.length && tokens; i++) {
    const c = name.charCodeAt(i);
    tokens = (c < 128 && TOKEN[c] === 1) || c === 0x20;
  }
  return (tokens && name.trim() === name ? name : quote(name)) + ' ';
}

/**
 * Parses one name-addr or addr-spec with its parameters. In the addr-spec form the URI ends
 * at the first ";" (those parameters belong to the header); RFC 3261 §20: "if the URI
 * contains a comma, question mark or semicolon, the URI MUST be enclosed in angle brackets".
 */
export function parseNameAddr(text: string, header?: string): NameAddr {
  const sc = new Scanner(text, header);
  sc.skipWs();
  const s = sc.s;
  let displayName: string | undefined;
  let uri: string;
  if (sc.peek() === 0x22) {
    const raw = sc.quotedRaw();
    displayName = unquote(raw);
    sc.skipWs();
    if (sc.peek() !== 0x3c) sc.fail('expected "<" after display name');
  } else {
    // *(token LWS) up to "<": RFC 4475 §3.1.1.6 accepts no LWS before "<".
    let j = sc.pos;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if ((c < 128 && TOKEN[c] === 1) || isWs(c)) j++;
      else break;
    }
    if (s.charCodeAt(j) === 0x3c) {
      const dn = s.slice(sc.pos, j).trim();
      if (dn) displayName = dn;
      sc.pos = j;
    }
  }
  if (sc.peek() === 0x3c) {
    const start = sc.pos + 1;
    const end = s.indexOf('>', start);
    if (end < 0) sc.fail('unbalanced "<"');
    uri = s.slice(start, end);
    // LAQUOT = SWS "<", RAQUOT = ">" SWS: no whitespace inside the brackets.
    for (let i = 0; i < uri.length; i++)
      if (uri.charCodeAt(i) <= 0x20) sc.fail('whitespace in addr-spec');
    sc.pos = end + 1;
  } else {
    const start = sc.pos;
    while (sc.pos < s.length) {
      const c = s.charCodeAt(sc.pos);
      if (c === 0x3b || isWs(c)) break;
      if (c === 0x2c || c === 0x3f || c === 0x3c || c === 0x3e || c === 0x22)
        sc.fail('URI containing "," "?" or "<" must be enclosed in "<>"');
      sc.pos++;
    }
    uri = s.slice(start, sc.pos);
  }
  if (uri.length === 0) sc.fail('empty URI');
  if (schemeLength(uri) < 0) sc.fail('URI without scheme');
  const params = sc.params();
  sc.end();
  return new NameAddr(uri, params, displayName);
}

/**
 * A Contact value (RFC 3261 §20.10): a name-addr with contact-params, or `*` (star) in a
 * REGISTER that removes all bindings (§10.2.2).
 */
export class Contact extends NameAddr {
  star?: boolean;

  /** RFC 3261 §20.10 `expires` contact-param in seconds (validated when parsed). */
  get expires(): number | undefined {
    const v = this.params.get('expires');
    return v === undefined || v === null ? undefined : Number(v);
  }

  set expires(value: number | undefined) {
    if (value === undefined) this.params.delete('expires');
    else this.params.set('expires', String(value));
  }

  /** RFC 3261 §20.10 `q` preference, 0..1 (undefined when absent). */
  get q(): number | undefined {
    const v = this.params.get('q');
    return v === undefined || v === null ? undefined : Number(v);
  }

  override clone(): Contact {
    const c = new Contact(this.uri, new Map(this.params), this.displayName);
    c.star = this.star;
    return c;
  }

  override toString(): string {
    return this.star ? '*' : super.toString();
  }
}

/** 2**32 - 1: the largest delta-seconds / CSeq an element must accept (RFC 3261 §8.1.1.5, §20.19). */
export const MAX_UINT32 = 4294967295;

/** Parses one Contact value ("*" or name-addr/addr-spec with contact-params). */
export function parseContact(text: string): Contact {
  const t = text.trim();
  if (t === '*') {
    const c = new Contact('*');
    c.star = true;
    return c;
  }
  const na = parseNameAddr(t, 'Contact');
  const c = new Contact(na.uri, na.params, na.displayName);
  const exp = na.params.get('expires');
  if (exp !== undefined) {
    if (exp === null || !/^[0-9]{1,10}$/.test(exp) || Number(exp) > MAX_UINT32)
      throw new SipParseError(`malformed Contact: bad expires "${exp}"`, { header: 'Contact' });
  }
  const q = na.params.get('q');
  if (q !== undefined && (q === null || !/^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/.test(q)))
    throw new SipParseError(`malformed Contact: bad q "${q}"`, { header: 'Contact' });
  return c;
}
