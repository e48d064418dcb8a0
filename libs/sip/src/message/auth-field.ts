import { SipParseError } from '../errors/sip-parse-error';
import { Scanner, isToken, isWs, quote, unquote } from './grammar';

/**
 * A challenge (WWW-Authenticate, Proxy-Authenticate) or credentials (Authorization,
 * Proxy-Authorization), RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1, RFC 7235 §2.1:
 *
 *     challenge   = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
 *     other-challenge = auth-scheme LWS auth-param *(COMMA auth-param)
 *     auth-param  = auth-param-name EQUAL ( token / quoted-string )
 *
 * `params` keys are lower-cased; quoted values are unquoted (quoted-pairs resolved).
 *
 * This is the one reader and writer of auth-param lists in the stack: the proxies read
 * Authorization and the challenges through it (SipMessage accessors), and the Digest layer
 * (`parseChallenge`, `parseCredentials`, Authentication-Info) is built on it, so every
 * element accepts and refuses the same values.
 */
export interface AuthField {
  scheme: string;
  params: Map<string, string>;
  /** Schemes that carry a token68 (e.g. Basic, RFC 7235) instead of auth-params. */
  token68?: string;
}

export function parseAuthField(text: string, header = 'Authorization'): AuthField {
  const sc = new Scanner(text, header);
  const scheme = sc.token('auth-scheme');
  const params = new Map<string, string>();
  if (!sc.skipWs() && !sc.eof) sc.fail('expected LWS after auth-scheme');
  if (sc.eof) return { scheme, params };
  const restStart = sc.pos;
  try {
    readAuthParams(sc, params);
  } catch (err) {
    // Digest must be auth-params; other schemes may be a token68 (kept opaque).
    if (scheme.toLowerCase() === 'digest' || !(err instanceof SipParseError)) throw err;
    return { scheme, params: new Map(), token68: sc.s.slice(restStart).trim() };
  }
  return { scheme, params };
}

/** A bare auth-param list with no scheme, e.g. Authentication-Info (RFC 2617 §3.2.3). */
export function parseAuthParamList(
  text: string,
  header = 'Authentication-Info',
): Map<string, string> {
  const sc = new Scanner(text, header);
  const params = new Map<string, string>();
  sc.skipWs();
  if (!sc.eof) readAuthParams(sc, params);
  return params;
}

/** `auth-param *(COMMA auth-param)` up to the end of the value; a repeated name is refused. */
function readAuthParams(sc: Scanner, params: Map<string, string>): void {
  do {
    const name = sc.token('auth-param name').toLowerCase();
    sc.expect(0x3d, '"="');
    sc.skipWs();
    const value = sc.peek() === 0x22 ? unquote(sc.quotedRaw()) : bareValue(sc, name);
    // RFC 7235 §2.1: "each parameter name MUST only occur once per challenge"; credentials
    // are the same auth-param list, and taking one of two values would let a proxy and the
    // registrar read different credentials.
    if (params.has(name)) sc.fail(`repeats parameter "${name}"`);
    params.set(name, value);
  } while (sc.accept(0x2c /* , */));
  sc.end();
}

/**
 * An unquoted value. The grammar says token, but UEs send e.g. base64 nonces unquoted
 * (`nonce=I1U8vpY3qJ0h/7M=`); like most stacks we take anything up to white space, "," or
 * DQUOTE. A value may not start with "=": `Basic dXNlcjpwYXNz==` is a token68, not a
 * parameter.
 */
function bareValue(sc: Scanner, name: string): string {
  const s = sc.s;
  const start = sc.pos;
  while (sc.pos < s.length) {
    const c = s.charCodeAt(sc.pos);
    if (c === 0x2c || c === 0x22 || isWs(c)) break;
    sc.pos++;
  }
  if (sc.pos === start || s.charCodeAt(start) === 0x3d || s.charCodeAt(sc.pos) === 0x22)
    sc.fail(`expected a value for "${name}"`);
  return s.slice(start, sc.pos);
}

/**
 * Parameters sent as tokens, not quoted-strings (RFC 3261 §25.1 digest-cln / digest-response,
 * RFC 7616 §3.3-3.4 userhash and charset, RFC 3310 §3.2). Everything else is quoted.
 */
export const TOKEN_IN_CHALLENGE: ReadonlySet<string> = new Set([
  'algorithm',
  'stale',
  'userhash',
  'charset',
]);
export const TOKEN_IN_CREDENTIALS: ReadonlySet<string> = new Set([
  'algorithm',
  'qop',
  'nc',
  'userhash',
]);

/**
 * `name=value, ...`: values named in `tokens` go bare when they are tokens, every other
 * value quoted; undefined values are left out. Throws on a name that is not a token.
 */
export function formatAuthParamList(
  params: Iterable<readonly [string, string | undefined]>,
  tokens: ReadonlySet<string> = new Set(),
): string {
  let out = '';
  for (const [name, value] of params) {
    if (value === undefined) continue;
    if (!isToken(name)) throw new TypeError(`auth-param name "${name}" is not a token`);
    const v = tokens.has(name.toLowerCase()) && isToken(value) ? value : quote(value);
    out += out === '' ? `${name}=${v}` : `, ${name}=${v}`;
  }
  return out;
}

/** `auth-scheme SP auth-param-list` (or the token68), as {@link formatAuthParamList} writes it. */
export function formatAuthField(h: AuthField, tokens?: ReadonlySet<string>): string {
  if (!isToken(h.scheme)) throw new TypeError(`auth-scheme "${h.scheme}" is not a token`);
  if (h.token68 !== undefined) return `${h.scheme} ${h.token68}`;
  const list = formatAuthParamList(h.params, tokens);
  return list === '' ? h.scheme : `${h.scheme} ${list}`;
}

/** Serializes a WWW-Authenticate / Proxy-Authenticate value (`qop="auth"` quoted). */
export function formatAuthChallenge(h: AuthField): string {
  return formatAuthField(h, TOKEN_IN_CHALLENGE);
}

/** Serializes an Authorization / Proxy-Authorization value (`qop=auth, nc=00000001` unquoted). */
export function formatAuthCredentials(h: AuthField): string {
  return formatAuthField(h, TOKEN_IN_CREDENTIALS);
}
