import { TOKEN_IN_CHALLENGE, TOKEN_IN_CREDENTIALS } from '../message/auth-field';
import { AuthHeader, formatAuthHeader, formatAuthParams, parseAuthHeader } from './auth-params';
import { DigestError } from './digest-error';

/**
 * A Digest challenge (WWW-Authenticate / Proxy-Authenticate), RFC 2617 §3.2.1, RFC 3261
 * §25.1 `digest-cln`, RFC 7616 §3.3 (`userhash`), RFC 3310 §3.2 (AKA nonce) and the IMS
 * `ik`/`ck` parameters the S-CSCF adds for the P-CSCF (TS 24.229 §5.4.1.2.1).
 */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** Absent means MD5. */
  algorithm?: string;
  /** The qop-options, e.g. ["auth", "auth-int"]. */
  qop?: string[];
  opaque?: string;
  stale?: boolean;
  domain?: string;
  userhash?: boolean;
  /** Every other auth-param, lower-cased names (e.g. `ik`, `ck`). */
  extra?: Record<string, string>;
}

const CHALLENGE_KNOWN = new Set([
  'realm',
  'nonce',
  'algorithm',
  'qop',
  'opaque',
  'stale',
  'domain',
  'userhash',
]);

function extras(params: Map<string, string>, known: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!known.has(k)) out[k] = v;
  return out;
}

function requireDigest(h: AuthHeader, header: string): void {
  if (h.scheme.toLowerCase() !== 'digest') {
    throw new DigestError(header, `uses scheme "${h.scheme}", not Digest`);
  }
}

function required(params: Map<string, string>, name: string, header: string): string {
  const v = params.get(name);
  if (v === undefined) throw new DigestError(header, `lacks the "${name}" parameter`);
  return v;
}

/** Parses a WWW-Authenticate / Proxy-Authenticate value that must be a Digest challenge. */
export function parseChallenge(value: string, header = 'WWW-Authenticate'): DigestChallenge {
  const h = parseAuthHeader(value, header);
  requireDigest(h, header);
  const p = h.params;
  const c: DigestChallenge = {
    realm: required(p, 'realm', header),
    nonce: required(p, 'nonce', header),
  };
  const algorithm = p.get('algorithm');
  if (algorithm !== undefined) c.algorithm = algorithm;
  const qop = p.get('qop');
  if (qop !== undefined) {
    c.qop = qop
      .split(',')
      .map((q) => q.trim())
      .filter((q) => q !== '');
  }
  const opaque = p.get('opaque');
  if (opaque !== undefined) c.opaque = opaque;
  const stale = p.get('stale');
  if (stale !== undefined) c.stale = stale.toLowerCase() === 'true';
  const domain = p.get('domain');
  if (domain !== undefined) c.domain = domain;
  const userhash = p.get('userhash');
  if (userhash !== undefined) c.userhash = userhash.toLowerCase() === 'true';
  const extra = extras(p, CHALLENGE_KNOWN);
  if (Object.keys(extra).length > 0) c.extra = extra;
  return c;
}

/** Formats a Digest challenge (`Digest realm="...", nonce="...", algorithm=MD5, qop="auth"`). */
export function formatChallenge(c: DigestChallenge): string {
  return formatAuthHeader(
    'Digest',
    {
      realm: c.realm,
      domain: c.domain,
      nonce: c.nonce,
      opaque: c.opaque,
      stale: c.stale === undefined ? undefined : c.stale ? 'TRUE' : 'FALSE',
      algorithm: c.algorithm,
      qop: c.qop === undefined ? undefined : c.qop.join(','),
      userhash: c.userhash === undefined ? undefined : String(c.userhash),
      ...c.extra,
    },
    TOKEN_IN_CHALLENGE,
  );
}

/**
 * Digest credentials (Authorization / Proxy-Authorization), RFC 2617 §3.2.2, RFC 3261
 * §25.1 `digest-response`, plus RFC 3310 §3.4 `auts`.
 */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm?: string;
  cnonce?: string;
  opaque?: string;
  /** A single qop value (unquoted on the wire). */
  qop?: string;
  /** nc-value, 8 hex digits. */
  nc?: string;
  userhash?: boolean;
  /** RFC 3310 §3.4 resynchronisation token, base64. */
  auts?: string;
  /** Every other auth-param. */
  extra?: Record<string, string>;
}

const CREDENTIALS_KNOWN = new Set([
  'username',
  'realm',
  'nonce',
  'uri',
  'response',
  'algorithm',
  'cnonce',
  'opaque',
  'qop',
  'nc',
  'userhash',
  'auts',
]);

/**
 * Parses an Authorization / Proxy-Authorization value that must carry Digest credentials.
 * `response` and `nonce` may be empty strings (the first IMS REGISTER sends `nonce=""`,
 * `response=""`, TS 24.229 §5.1.1.2.1). With qop, nc and cnonce are required.
 */
export function parseCredentials(value: string, header = 'Authorization'): DigestCredentials {
  const h = parseAuthHeader(value, header);
  requireDigest(h, header);
  const p = h.params;
  const c: DigestCredentials = {
    username: required(p, 'username', header),
    realm: required(p, 'realm', header),
    nonce: required(p, 'nonce', header),
    uri: required(p, 'uri', header),
    response: required(p, 'response', header),
  };
  for (const k of ['algorithm', 'cnonce', 'opaque', 'qop', 'auts'] as const) {
    const v = p.get(k);
    if (v !== undefined) c[k] = v;
  }
  const nc = p.get('nc');
  if (nc !== undefined) {
    if (!/^[0-9a-fA-F]{8}$/.test(nc)) throw new DigestError(header, 'nc must be 8 hex digits');
    c.nc = nc.toLowerCase();
  }
  const userhash = p.get('userhash');
  if (userhash !== undefined) c.userhash = userhash.toLowerCase() === 'true';
  if (c.qop !== undefined && (c.nc === undefined || c.cnonce === undefined)) {
    throw new DigestError(header, 'has qop but lacks nc or cnonce');
  }
  const extra = extras(p, CREDENTIALS_KNOWN);
  if (Object.keys(extra).length > 0) c.extra = extra;
  return c;
}

/** Formats Digest credentials, quoting as RFC 2617 §3.2.2 does (qop, nc, algorithm bare). */
export function formatCredentials(c: DigestCredentials): string {
  return formatAuthHeader(
    'Digest',
    {
      username: c.username,
      realm: c.realm,
      nonce: c.nonce,
      uri: c.uri,
      response: c.response,
      algorithm: c.algorithm,
      cnonce: c.cnonce,
      opaque: c.opaque,
      qop: c.qop,
      nc: c.nc,
      userhash: c.userhash === undefined ? undefined : String(c.userhash),
      auts: c.auts,
      ...c.extra,
    },
    TOKEN_IN_CREDENTIALS,
  );
}

/** Authentication-Info (RFC 2617 §3.2.3). */
export interface AuthenticationInfo {
  nextnonce?: string;
  qop?: string;
  rspauth?: string;
  cnonce?: string;
  nc?: string;
}

/** Formats an Authentication-Info value (qop and nc bare, the rest quoted). */
export function formatAuthenticationInfo(info: AuthenticationInfo): string {
  return formatAuthParams({ ...info }, new Set(['qop', 'nc']));
}
