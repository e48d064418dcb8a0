import { SipParseError } from '../errors/sip-parse-error';
import { Scanner, isToken, quote, unquote } from './grammar';

/**
 * A challenge (WWW-Authenticate, Proxy-Authenticate) or credentials (Authorization,
 * Proxy-Authorization), RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1:
 *
 *     challenge   = ("Digest" LWS digest-cln *(COMMA digest-cln)) / other-challenge
 *     other-challenge = auth-scheme LWS auth-param *(COMMA auth-param)
 *     auth-param  = auth-param-name EQUAL ( token / quoted-string )
 *
 * `params` keys are lower-cased; quoted values are unquoted (quoted-pairs resolved).
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
    do {
      const name = sc.token('auth-param name').toLowerCase();
      sc.expect(0x3d, '"="');
      sc.skipWs();
      const value = sc.peek() === 0x22 ? unquote(sc.quotedRaw()) : sc.token('auth-param value');
      params.set(name, value);
    } while (sc.accept(0x2c));
    sc.end();
  } catch (err) {
    // Digest must be auth-params; other schemes may be a token68 (kept opaque).
    if (scheme.toLowerCase() === 'digest' || !(err instanceof SipParseError)) throw err;
    return { scheme, params: new Map(), token68: sc.s.slice(restStart).trim() };
  }
  return { scheme, params };
}

/**
 * Parameters sent as tokens, not quoted-strings (RFC 3261 §25.1 digest-response /
 * digest-cln, RFC 3310 §3.2). Everything else is quoted.
 */
const TOKEN_IN_CREDENTIALS = new Set(['algorithm', 'nc', 'qop']);
const TOKEN_IN_CHALLENGE = new Set(['algorithm', 'stale']);

function format(h: AuthField, tokens: Set<string>): string {
  if (h.token68 !== undefined) return `${h.scheme} ${h.token68}`;
  const parts: string[] = [];
  for (const [k, v] of h.params) {
    parts.push(tokens.has(k) && isToken(v) ? `${k}=${v}` : `${k}=${quote(v)}`);
  }
  return parts.length ? `${h.scheme} ${parts.join(', ')}` : h.scheme;
}

/** Serializes a WWW-Authenticate / Proxy-Authenticate value (`qop="auth"` quoted). */
export function formatAuthChallenge(h: AuthField): string {
  return format(h, TOKEN_IN_CHALLENGE);
}

/** Serializes an Authorization / Proxy-Authorization value (`qop=auth, nc=00000001` unquoted). */
export function formatAuthCredentials(h: AuthField): string {
  return format(h, TOKEN_IN_CREDENTIALS);
}
