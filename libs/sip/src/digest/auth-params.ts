import { DigestError } from './digest-error';

/**
 * The auth-param lists of WWW-Authenticate, Proxy-Authenticate, Authorization,
 * Proxy-Authorization (RFC 3261 §25.1, RFC 2617 §1.2, RFC 7235 §2.1) and
 * Authentication-Info (RFC 2617 §3.2.3):
 *
 *   challenge   = auth-scheme LWS auth-param *(COMMA auth-param)
 *   auth-param  = auth-param-name EQUAL ( token / quoted-string )
 *   quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE
 *
 * Parameter names are case-insensitive and returned lower-cased; values are unquoted
 * (quoted-pairs resolved). Parameters keep their order.
 */
export interface AuthHeader {
  /** The auth-scheme as sent, e.g. `Digest`. */
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  skipWs(): void {
    while (this.i < this.s.length && /[ \t\r\n]/.test(this.s[this.i])) this.i++;
  }
  done(): boolean {
    return this.i >= this.s.length;
  }
  token(what: string): string {
    const start = this.i;
    while (this.i < this.s.length && /[A-Za-z0-9\-.!%*_+`'~]/.test(this.s[this.i])) this.i++;
    if (start === this.i) throw new DigestError(what, `expected a token at offset ${start}`);
    return this.s.slice(start, this.i);
  }
  /**
   * An unquoted value. The grammar says token, but peers send e.g. base64 nonces unquoted;
   * like most stacks we accept anything up to white space or "," (a DQUOTE is still an error).
   */
  bare(what: string): string {
    const start = this.i;
    while (this.i < this.s.length && !/[\s,"]/.test(this.s[this.i])) this.i++;
    if (start === this.i || this.s[this.i] === '"') {
      throw new DigestError(what, `expected a value at offset ${start}`);
    }
    return this.s.slice(start, this.i);
  }
  quoted(what: string): string {
    // this.s[this.i] === '"'
    let out = '';
    this.i++;
    while (this.i < this.s.length) {
      const c = this.s[this.i++];
      if (c === '"') return out;
      if (c === '\\') {
        if (this.i >= this.s.length) break;
        out += this.s[this.i++];
      } else {
        out += c;
      }
    }
    throw new DigestError(what, 'has an unterminated quoted-string');
  }
}

function parseParamList(c: Cursor, header: string): Record<string, string> {
  const params: Record<string, string> = {};
  c.skipWs();
  if (c.done()) return params;
  for (;;) {
    c.skipWs();
    const name = c.token(header).toLowerCase();
    c.skipWs();
    if (c.s[c.i] !== '=') throw new DigestError(header, `parameter "${name}" has no value`);
    c.i++;
    c.skipWs();
    const value = c.s[c.i] === '"' ? c.quoted(`${header} ${name}`) : c.bare(`${header} ${name}`);
    if (Object.prototype.hasOwnProperty.call(params, name)) {
      throw new DigestError(header, `repeats parameter "${name}"`);
    }
    params[name] = value;
    c.skipWs();
    if (c.done()) return params;
    if (c.s[c.i] !== ',') throw new DigestError(header, `expected "," at offset ${c.i}`);
    c.i++;
  }
}

/**
 * Parses a challenge or credentials header value (`Digest realm="x", nonce="y", ...`).
 * Raises a {@link DigestError} for malformed input.
 */
export function parseAuthHeader(value: string, header = 'auth header'): AuthHeader {
  if (typeof value !== 'string') throw new DigestError(header, 'must be a string');
  const c = new Cursor(value);
  c.skipWs();
  const scheme = c.token(header);
  if (!c.done() && !/[ \t\r\n]/.test(c.s[c.i])) {
    throw new DigestError(header, 'expected whitespace after the auth-scheme');
  }
  return { scheme, params: parseParamList(c, header) };
}

/** Parses a bare auth-param list, e.g. Authentication-Info (RFC 2617 §3.2.3). */
export function parseAuthParams(
  value: string,
  header = 'Authentication-Info',
): Record<string, string> {
  if (typeof value !== 'string') throw new DigestError(header, 'must be a string');
  return parseParamList(new Cursor(value), header);
}

function quote(value: string): string {
  return '"' + value.replace(/["\\]/g, (ch) => '\\' + ch) + '"';
}

/**
 * Formats `name=value` pairs, quoting every value except those named in `tokens` (which
 * are sent bare when they are valid tokens, as the grammar requires for e.g. `algorithm`,
 * `stale`, `nc` and the `qop` of credentials).
 */
export function formatAuthParams(
  params: Record<string, string | undefined>,
  tokens: ReadonlySet<string> = new Set(),
): string {
  const out: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (!TOKEN.test(name)) throw new DigestError(name, 'is not a valid parameter name');
    out.push(
      `${name}=${tokens.has(name.toLowerCase()) && TOKEN.test(value) ? value : quote(value)}`,
    );
  }
  return out.join(', ');
}

/** `auth-scheme SP auth-param-list`. */
export function formatAuthHeader(
  scheme: string,
  params: Record<string, string | undefined>,
  tokens?: ReadonlySet<string>,
): string {
  if (!TOKEN.test(scheme)) throw new DigestError('scheme', 'is not a token');
  const list = formatAuthParams(params, tokens);
  return list === '' ? scheme : `${scheme} ${list}`;
}
