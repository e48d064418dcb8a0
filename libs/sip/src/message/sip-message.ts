import { SipParseError } from '../errors/sip-parse-error';
import { Uri, parseUri } from '../uri/parse-uri';
import { AuthField, parseAuthField } from './auth-field';
import { WORD, isToken, listHead, parseDigits, trimWs } from './grammar';
import { HeaderField, HeaderList } from './header-list';
import { canonicalName, headerKey } from './header-names';
import {
  AccessNetworkInfo,
  ChargingFunctionAddresses,
  VisitedNetworkId,
  parseAccessNetworkInfo,
  parseChargingFunctionAddresses,
  parseChargingVector,
  parseVisitedNetworkIds,
} from './ims-headers';
import { Contact, MAX_UINT32, NameAddr, parseContact, parseNameAddr } from './name-addr';
import { Via, parseVia, parseViaParm } from './via';

/** CSeq (RFC 3261 §20.16): sequence number and method. */
export interface CSeq {
  seq: number;
  method: string;
}

/** The bytes a message was parsed from, for the untouched-message fast path of toBuffer(). */
interface Source {
  bytes: Buffer;
  body: Buffer;
  startLine: string;
  contentLength?: number;
  /** The start line's parts as parsed: while the message still has them, startLine is kept. */
  method?: string;
  uri?: string;
  status?: number;
  reason?: string;
}

/** Shared empty body (a zero-length Buffer cannot be written to). */
const EMPTY = Buffer.alloc(0);

/** RFC 1123 date in a Date header (RFC 3261 §20.17: the zone MUST be "GMT"). */
const RFC1123 =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT$/;
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

/**
 * A SIP message (RFC 3261 §7): start line, header section, body. Header values are parsed
 * only when a typed accessor asks for them; the result is cached until that header changes.
 * A header nobody rewrites serializes exactly as received.
 */
export abstract class SipMessageBase {
  headers: HeaderList;
  body: Buffer;
  /** @internal */
  protected source?: Source;
  /** Text encoding of the header section: UTF-8, or latin1 when the bytes were not UTF-8. */
  protected encoding: 'utf8' | 'latin1' = 'utf8';

  constructor(headers?: HeaderList, body?: Buffer) {
    this.headers = headers ?? new HeaderList();
    this.body = body ?? EMPTY;
  }

  abstract isRequest(): this is SipRequest;
  abstract isResponse(): this is SipResponse;
  /** The start line without CRLF. */
  abstract startLine(): string;

  // ----- raw header access ---------------------------------------------------------------

  /** First value (raw text) of a header; list headers give their first element. */
  get(name: string): string | undefined {
    return this.headers.get(name);
  }

  /** All values; comma-separated lists split (respecting quotes and <>). */
  getAll(name: string): string[] {
    return this.headers.getAll(name);
  }

  has(name: string): boolean {
    return this.headers.has(name);
  }

  /** Replaces all occurrences. */
  set(name: string, value: string | string[]): void {
    this.headers.set(name, value);
  }

  append(name: string, value: string): void {
    this.headers.append(name, value);
  }

  /** Adds as first value (push a Via, a Record-Route, a Path ...). */
  prepend(name: string, value: string): void {
    this.headers.prepend(name, value);
  }

  remove(name: string): void {
    this.headers.remove(name);
  }

  /** Pops the first value (top Via, top Route). */
  removeFirst(name: string): string | undefined {
    return this.headers.removeFirst(name);
  }

  // ----- typed accessors (lazy, cached, invalidated by mutation) --------------------------

  /** All Via values, top first (RFC 3261 §20.42). */
  via(): Via[] {
    return this.headers.typed('via', () => {
      const out: Via[] = [];
      for (const v of this.headers.getAll('via')) out.push(...parseVia(v));
      return out;
    });
  }

  /** The top Via (parsed without parsing the others). Throws SipParseError if absent. */
  topVia(): Via {
    return this.headers.typed('via/top', () => {
      const field = this.headers.first('via');
      if (field === undefined) throw missing('Via');
      // Only the first via-parm of the first line is parsed (RFC 3261 §17.2.3 matching).
      const v = field.value;
      return parseViaParm(v.indexOf(',') < 0 ? v : listHead(v, 'Via').first);
    });
  }

  /**
   * Pushes a Via this element built (a proxy's own, RFC 3261 §16.6 step 8) and keeps the
   * object as the parsed top Via: the transaction key, the transport's sent-by check and the
   * metrics read it without parsing the line just written from it.
   */
  pushVia(via: Via): void {
    this.headers.prepend('Via', via.toString());
    this.headers.typed('via/top', () => via);
  }

  /** Rewrites the top Via value (e.g. after adding `received` / `rport`, RFC 3261 §18.2.1). */
  setTopVia(via: Via): void {
    this.headers.replaceFirst('Via', via.toString());
  }

  from(): NameAddr {
    return this.headers.typed('from', () => parseNameAddr(this.single('From'), 'From'));
  }

  to(): NameAddr {
    return this.headers.typed('to', () => parseNameAddr(this.single('To'), 'To'));
  }

  /** Call-ID (RFC 3261 §20.8): `callid = word [ "@" word ]`. */
  callId(): string {
    return this.headers.typed('call-id', () => {
      const v = this.single('Call-ID');
      let at = 0;
      for (let i = 0; i < v.length; i++) {
        const c = v.charCodeAt(i);
        if (c === 0x40 && ++at === 1 && i > 0 && i < v.length - 1) continue;
        if (c >= 128 || WORD[c] !== 1) throw bad('Call-ID', 'not word [ "@" word ]');
      }
      if (v.length === 0) throw bad('Call-ID', 'empty');
      return v;
    });
  }

  /** CSeq (RFC 3261 §8.1.1.5): "The sequence number MUST be expressible as a 32-bit unsigned integer". */
  cseq(): CSeq {
    return this.headers.typed('cseq', () => {
      const v = this.single('CSeq');
      let i = 0;
      while (i < v.length && v.charCodeAt(i) >= 0x30 && v.charCodeAt(i) <= 0x39) i++;
      const seq = parseDigits(v.slice(0, i), MAX_UINT32);
      if (seq === undefined) throw bad('CSeq', 'sequence number is not a 32-bit unsigned integer');
      const method = trimWs(v.slice(i));
      if (method === v.slice(i) || !isToken(method))
        throw bad('CSeq', 'expected 1*DIGIT LWS Method');
      return { seq, method };
    });
  }

  /** Max-Forwards (RFC 3261 §20.22), 0..255; undefined when absent. */
  maxForwards(): number | undefined {
    return this.headers.typed('max-forwards', () => {
      if (!this.has('Max-Forwards')) return undefined;
      const n = parseDigits(this.single('Max-Forwards'), 255);
      if (n === undefined) throw bad('Max-Forwards', 'not an integer 0..255');
      return n;
    });
  }

  /** Expires (RFC 3261 §20.19) in seconds; undefined when absent; bad or > 2**32-1 throws. */
  expires(): number | undefined {
    return this.headers.typed('expires', () => {
      if (!this.has('Expires')) return undefined;
      const n = parseDigits(this.single('Expires'), MAX_UINT32);
      if (n === undefined) throw bad('Expires', 'not delta-seconds');
      return n;
    });
  }

  /** Content-Length (RFC 3261 §20.14) as received; undefined when absent. */
  contentLength(): number | undefined {
    return this.headers.typed('content-length', () => {
      if (!this.has('Content-Length')) return undefined;
      const n = parseDigits(this.single('Content-Length'), 0x7fffffff);
      if (n === undefined) throw bad('Content-Length', 'not 1*DIGIT');
      return n;
    });
  }

  /** Content-Type media type, e.g. "application/sdp" (raw value). */
  contentType(): string | undefined {
    return this.get('Content-Type');
  }

  /** Contact values (RFC 3261 §20.10); a lone `*` gives one Contact with `star: true`. */
  contacts(): Contact[] {
    return this.headers.typed('contact', () => {
      const list = this.getAll('Contact').map(parseContact);
      if (list.length > 1 && list.some((c) => c.star))
        throw bad('Contact', '"*" combined with other contacts');
      return list;
    });
  }

  routes(): NameAddr[] {
    return this.nameAddrs('Route');
  }

  recordRoutes(): NameAddr[] {
    return this.nameAddrs('Record-Route');
  }

  /** RFC 3327 Path. */
  paths(): NameAddr[] {
    return this.nameAddrs('Path');
  }

  /** RFC 3608 Service-Route. */
  serviceRoutes(): NameAddr[] {
    return this.nameAddrs('Service-Route');
  }

  /** RFC 3325 P-Asserted-Identity. */
  pAssertedIdentities(): NameAddr[] {
    return this.nameAddrs('P-Asserted-Identity');
  }

  /** RFC 3325 P-Preferred-Identity. */
  pPreferredIdentities(): NameAddr[] {
    return this.nameAddrs('P-Preferred-Identity');
  }

  /** RFC 3455 §4.1 P-Associated-URI. */
  pAssociatedUris(): NameAddr[] {
    return this.nameAddrs('P-Associated-URI');
  }

  /** RFC 3455 §4.2 P-Called-Party-ID; undefined when absent. */
  pCalledPartyId(): NameAddr | undefined {
    return this.headers.typed('p-called-party-id', () =>
      this.has('P-Called-Party-ID')
        ? parseNameAddr(this.single('P-Called-Party-ID'), 'P-Called-Party-ID')
        : undefined,
    );
  }

  /** RFC 3455 §4.3 P-Visited-Network-ID. */
  pVisitedNetworkIds(): VisitedNetworkId[] {
    return this.headers.typed('p-visited-network-id', () =>
      parseVisitedNetworkIds(this.getAll('P-Visited-Network-ID')),
    );
  }

  /** RFC 3455 §4.4 / RFC 7315 P-Access-Network-Info. */
  pAccessNetworkInfo(): AccessNetworkInfo[] {
    return this.headers.typed('p-access-network-info', () =>
      parseAccessNetworkInfo(this.getAll('P-Access-Network-Info')),
    );
  }

  /** RFC 3455 §4.6 P-Charging-Vector parameters (icid-value, orig-ioi, term-ioi ...). */
  pChargingVector(): Map<string, string | null> | undefined {
    return this.headers.typed('p-charging-vector', () =>
      this.has('P-Charging-Vector')
        ? parseChargingVector(this.single('P-Charging-Vector'))
        : undefined,
    );
  }

  /** RFC 3455 §4.5 P-Charging-Function-Addresses. */
  pChargingFunctionAddresses(): ChargingFunctionAddresses | undefined {
    return this.headers.typed('p-charging-function-addresses', () =>
      this.has('P-Charging-Function-Addresses')
        ? parseChargingFunctionAddresses(this.single('P-Charging-Function-Addresses'))
        : undefined,
    );
  }

  /** RFC 3261 §20.32 Require option tags. */
  require(): string[] {
    return this.tokens('Require');
  }

  /** RFC 3261 §20.37 Supported option tags. */
  supported(): string[] {
    return this.tokens('Supported');
  }

  /** RFC 3261 §20.40 Unsupported option tags. */
  unsupported(): string[] {
    return this.tokens('Unsupported');
  }

  /** RFC 3261 §20.29 Proxy-Require option tags. */
  proxyRequire(): string[] {
    return this.tokens('Proxy-Require');
  }

  /** RFC 3261 §20.5 Allow methods. */
  allow(): string[] {
    return this.tokens('Allow');
  }

  /** RFC 3261 §20.7 Authorization credentials, one per header line. */
  authorizations(): AuthField[] {
    return this.auth('Authorization');
  }

  /** RFC 3261 §20.28 Proxy-Authorization credentials. */
  proxyAuthorizations(): AuthField[] {
    return this.auth('Proxy-Authorization');
  }

  /** RFC 3261 §20.44 WWW-Authenticate challenges. */
  wwwAuthenticates(): AuthField[] {
    return this.auth('WWW-Authenticate');
  }

  /** RFC 3261 §20.27 Proxy-Authenticate challenges. */
  proxyAuthenticates(): AuthField[] {
    return this.auth('Proxy-Authenticate');
  }

  /** Date (RFC 3261 §20.17, rfc1123-date, GMT only); undefined when absent. */
  date(): Date | undefined {
    return this.headers.typed('date', () => {
      if (!this.has('Date')) return undefined;
      const m = RFC1123.exec(this.single('Date'));
      if (!m) throw bad('Date', 'not an RFC 1123 date in GMT');
      const d = new Date(Date.UTC(+m[3], MONTHS.indexOf(m[2]) / 3, +m[1], +m[4], +m[5], +m[6]));
      if (Number.isNaN(d.getTime())) throw bad('Date', 'invalid date');
      return d;
    });
  }

  // ----- serialization --------------------------------------------------------------------

  /**
   * Serializes the message. Untouched header lines are written exactly as received;
   * Content-Length is written (or added) with the body's length (RFC 3261 §18.3, §20.14).
   */
  toBuffer(): Buffer {
    const src = this.source;
    const len = this.body.length;
    if (
      src !== undefined &&
      !this.headers.modified &&
      this.body === src.body &&
      src.contentLength === len &&
      this.startLine() === src.startLine
    ) {
      return src.bytes;
    }
    let head = this.startLine() + '\r\n';
    let cl = false;
    const fields = this.headers.all();
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (f.key === 'content-length') {
        if (cl) continue;
        cl = true;
        head +=
          (f.line !== undefined && parseDigits(f.value, 0x7fffffff) === len
            ? f.line
            : `${f.name}: ${len}`) + '\r\n';
        continue;
      }
      const src = f.src;
      if (src === undefined) {
        head += f.toString() + '\r\n';
        continue;
      }
      // Received lines that still follow each other as they did on the wire (CRLF between
      // them) are copied as one piece: a proxy that pushed a Via writes the rest in a few
      // slices instead of one per line.
      let end = f.end;
      while (i + 1 < fields.length) {
        const g = fields[i + 1];
        if (g.src !== src || g.start !== end + 2 || src.charCodeAt(end) !== 0x0d) break;
        if (g.key === 'content-length') break;
        end = g.end;
        i++;
      }
      head += src.slice(f.start, end) + '\r\n';
    }
    if (!cl) head += `Content-Length: ${len}\r\n`;
    head += '\r\n';
    const bytes = Buffer.from(head, this.encoding);
    return len === 0 ? bytes : Buffer.concat([bytes, this.body], bytes.length + len);
  }

  toString(): string {
    return this.toBuffer().toString(this.encoding);
  }

  /**
   * A copy that changes independently of this message: its own header list, typed views and
   * start line. The header lines (immutable), the parsed Request-URI (read-only) and the
   * octets (the body and the received bytes, which this library never writes into) are
   * shared, not copied: a proxy clones
   * every request it forwards and every response it passes upstream (RFC 3261 §16.6 step 1,
   * §16.7). Replace the body (`copy.body = ...`), do not write into it.
   */
  clone(): this {
    const c = Object.create(Object.getPrototypeOf(this)) as this;
    Object.assign(c, this);
    c.headers = this.headers.clone();
    return c;
  }

  /** @internal used by the parser */
  setSource(source: Source, encoding: 'utf8' | 'latin1'): void {
    this.source = source;
    this.encoding = encoding;
  }

  /** The value of a header that must appear exactly once. */
  protected single(name: string): string {
    const key = headerKey(name);
    let found: HeaderField | undefined;
    const fields = this.headers.all();
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (f.key !== key) continue;
      if (found !== undefined) throw bad(name, 'appears more than once');
      found = f;
    }
    if (found === undefined) throw missing(name);
    return found.value;
  }

  private nameAddrs(name: string): NameAddr[] {
    return this.headers.typed(headerKey(name), () =>
      this.getAll(name).map((v) => parseNameAddr(v, name)),
    );
  }

  private tokens(name: string): string[] {
    return this.headers.typed(headerKey(name), () =>
      this.getAll(name).map((t) => {
        if (!isToken(t)) throw bad(name, `"${t.slice(0, 20)}" is not a token`);
        return t;
      }),
    );
  }

  private auth(name: string): AuthField[] {
    return this.headers.typed(headerKey(name), () =>
      this.headers.fieldsOf(name).map((f) => parseAuthField(f.value, name)),
    );
  }
}

function missing(name: string): SipParseError {
  const header = canonicalName(name);
  return new SipParseError(`missing ${header}`, { header });
}

function bad(name: string, detail: string): SipParseError {
  const header = canonicalName(name);
  return new SipParseError(`malformed ${header}: ${detail}`, { header });
}

/** RFC 3261 §7.1 request: `Method SP Request-URI SP SIP-Version CRLF`. */
export class SipRequest extends SipMessageBase {
  method: string;
  /** The Request-URI as written. */
  uri: string;
  private parsedUri?: { text: string; uri: Uri };

  /** `parsed`: the Request-URI already parsed from the text `uri` (the parser passes it). */
  constructor(
    method: string,
    uri: string | Uri,
    headers?: HeaderList,
    body?: Buffer,
    parsed?: Uri,
  ) {
    super(headers, body);
    this.method = method;
    this.uri = typeof uri === 'string' ? uri : uri.toString();
    const known = typeof uri !== 'string' ? uri : parsed;
    if (known !== undefined) this.parsedUri = { text: this.uri, uri: known };
  }

  isRequest(): this is SipRequest {
    return true;
  }

  isResponse(): this is SipResponse {
    return false;
  }

  /**
   * The Request-URI parsed (cached); throws SipParseError when malformed. Read-only: a
   * clone shares it until its `uri` changes (every proxied request is cloned twice, RFC 3261
   * §16.6 step 1); to derive another URI, `clone()` the Uri first.
   */
  requestUri(): Uri {
    if (this.parsedUri?.text !== this.uri)
      this.parsedUri = { text: this.uri, uri: parseUri(this.uri) };
    return this.parsedUri.uri;
  }

  setUri(uri: string | Uri): void {
    this.uri = typeof uri === 'string' ? uri : uri.toString();
    this.parsedUri = typeof uri === 'string' ? undefined : { text: this.uri, uri };
  }

  startLine(): string {
    const src = this.source;
    // Keep the received line (e.g. "sip/2.0" spelling) when method and URI are unchanged.
    if (src !== undefined && src.method === this.method && src.uri === this.uri)
      return src.startLine;
    return `${this.method} ${this.uri} SIP/2.0`;
  }
}

/** RFC 3261 §7.2 response: `SIP-Version SP Status-Code SP Reason-Phrase CRLF`. */
export class SipResponse extends SipMessageBase {
  status: number;
  reason: string;

  constructor(status: number, reason: string, headers?: HeaderList, body?: Buffer) {
    super(headers, body);
    this.status = status;
    this.reason = reason;
  }

  isRequest(): this is SipRequest {
    return false;
  }

  isResponse(): this is SipResponse {
    return true;
  }

  startLine(): string {
    const src = this.source;
    if (src !== undefined && src.status === this.status && src.reason === this.reason)
      return src.startLine;
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }
}

export type SipMessage = SipRequest | SipResponse;
