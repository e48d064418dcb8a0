import { SipParseError } from '../errors/sip-parse-error';
import { HOST } from '../uri/uri-chars';
import { Scanner, formatParams, parseDigits, splitList } from './grammar';
import { randomHex } from './random-hex';

/** RFC 3261 §8.1.1.7: "The branch parameter value MUST start with the magic cookie z9hG4bK". */
export const MAGIC_COOKIE = 'z9hG4bK';

/**
 * One Via value (RFC 3261 §20.42, §18.2.1):
 * `sent-protocol LWS sent-by *( SEMI via-params )`, sent-protocol = `SIP/2.0/UDP`.
 * `branch`, `received` and `rport` (RFC 3581) are views over `params`.
 */
export class Via {
  /** protocol-name "/" protocol-version, e.g. "SIP/2.0". */
  protocol: string;
  /** Upper-cased transport: UDP, TCP, TLS, SCTP, WS, WSS or an extension token. */
  transport: string;
  /** sent-by host, without the brackets of an IPv6 reference. */
  host: string;
  port?: number;
  params: Map<string, string | null>;

  constructor(init: {
    protocol?: string;
    transport: string;
    host: string;
    port?: number;
    params?: Map<string, string | null>;
  }) {
    this.protocol = init.protocol ?? 'SIP/2.0';
    const t = init.transport;
    this.transport = t === 'UDP' || t === 'TCP' || t === 'TLS' ? t : t.toUpperCase();
    this.host = init.host;
    this.port = init.port;
    this.params = init.params ?? new Map();
  }

  get branch(): string | undefined {
    return this.params.get('branch') ?? undefined;
  }

  set branch(value: string | undefined) {
    setParam(this.params, 'branch', value);
  }

  /** RFC 3261 §18.2.1 `received`: the source address the request actually came from. */
  get received(): string | undefined {
    return this.params.get('received') ?? undefined;
  }

  set received(value: string | undefined) {
    setParam(this.params, 'received', value);
  }

  /** RFC 3581 `rport`: number, null when present without a value, undefined when absent. */
  get rport(): number | null | undefined {
    if (!this.params.has('rport')) return undefined;
    const v = this.params.get('rport');
    return v === null || v === undefined ? null : Number(v);
  }

  set rport(value: number | null | undefined) {
    if (value === undefined) this.params.delete('rport');
    else this.params.set('rport', value === null ? null : String(value));
  }

  /** RFC 3261 §17.2.3: the branch identifies the transaction only with the magic cookie. */
  get isRfc3261Branch(): boolean {
    const b = this.branch;
    return b !== undefined && b.length > MAGIC_COOKIE.length && b.startsWith(MAGIC_COOKIE);
  }

  /** `sent-by` as written on the wire: host (IPv6 in brackets) and optional port. */
  get sentBy(): string {
    const h = this.host.indexOf(':') >= 0 ? `[${this.host}]` : this.host;
    return this.port === undefined ? h : `${h}:${this.port}`;
  }

  clone(): Via {
    return new Via({ ...this, params: new Map(this.params) });
  }

  toString(): string {
    return `${this.protocol}/${this.transport} ${this.sentBy}${formatParams(this.params)}`;
  }
}

function setParam(
  params: Map<string, string | null>,
  name: string,
  value: string | undefined,
): void {
  if (value === undefined) params.delete(name);
  else params.set(name, value);
}

/** Parses a Via header value (one or more comma-separated via-parms). */
export function parseVia(text: string): Via[] {
  return splitList(text, 'Via').map(parseViaParm);
}

/** The usual sent-protocols, recognised without the scanner (upper case, one SP after). */
const COMMON_PROTOCOLS = [
  'SIP/2.0/UDP ',
  'SIP/2.0/TCP ',
  'SIP/2.0/TLS ',
  'SIP/2.0/SCTP ',
  'SIP/2.0/WS ',
  'SIP/2.0/WSS ',
];

/** Parses one via-parm (no commas). */
export function parseViaParm(text: string): Via {
  if (text.length === 0) throw new SipParseError('malformed Via: empty value', { header: 'Via' });
  const sc = new Scanner(text, 'Via');
  let protocol = 'SIP/2.0';
  let transport: string | undefined;
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport (SLASH = SWS "/" SWS):
  // "SIP/2.0/UDP " as almost every element writes it is matched as a whole; anything else
  // (other spacing or case, another version) goes through the scanner.
  if (text.charCodeAt(0) === 0x53 /* S */) {
    for (let i = 0; i < COMMON_PROTOCOLS.length; i++) {
      const p = COMMON_PROTOCOLS[i];
      if (text.startsWith(p)) {
        transport = p.slice(8, -1);
        sc.pos = p.length;
        sc.skipWs();
        break;
      }
    }
  }
  if (transport === undefined) {
    const name = sc.token('protocol-name');
    sc.expect(0x2f, '"/"');
    const version = sc.token('protocol-version');
    sc.expect(0x2f, '"/"');
    transport = sc.token('transport');
    protocol = `${name}/${version}`;
    if (!sc.skipWs()) sc.fail('expected LWS before sent-by');
  }
  const s = sc.s;
  let host: string;
  if (sc.peek() === 0x5b) {
    const close = s.indexOf(']', sc.pos);
    if (close < 0) sc.fail('unterminated IPv6 reference');
    host = s.slice(sc.pos + 1, close);
    if (host.length < 2 || /[^0-9a-fA-F:.]/.test(host)) sc.fail('bad IPv6 reference');
    sc.pos = close + 1;
  } else {
    const start = sc.pos;
    while (sc.pos < s.length) {
      const c = s.charCodeAt(sc.pos);
      if (c >= 128 || HOST[c] !== 1) break;
      sc.pos++;
    }
    if (sc.pos === start) sc.fail('expected sent-by host');
    host = s.slice(start, sc.pos);
  }
  let port: number | undefined;
  if (sc.accept(0x3a)) {
    sc.skipWs();
    const start = sc.pos;
    let n = 0;
    while (sc.pos < s.length) {
      const d = s.charCodeAt(sc.pos) - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      sc.pos++;
    }
    if (sc.pos === start || sc.pos - start > 5 || n > 65535) sc.fail('bad port');
    port = n;
  }
  const params = sc.params();
  sc.end();
  const rport = params.get('rport');
  if (rport != null && (rport.length > 5 || parseDigits(rport, 99999) === undefined))
    sc.fail('bad rport');
  return new Via({ protocol, transport, host, port, params });
}

/** A new RFC 3261 branch: "z9hG4bK" + 16 random hex digits (§8.1.1.7). */
export function generateBranch(): string {
  return MAGIC_COOKIE + randomHex(8);
}

/** A new From/To tag: "at least 32 bits of randomness" (RFC 3261 §19.3). */
export function generateTag(): string {
  return randomHex(6);
}
