import { timingSafeEqual } from 'node:crypto';
import { DigestAlgorithm, digestHash, parseDigestAlgorithm } from './digest-algorithm';
import { DigestError } from './digest-error';

/**
 * HTTP Digest computation for SIP (RFC 3261 §22.4 -> RFC 2617 §3.2.2, updated by RFC 7616
 * §3.4 and RFC 8760 for SHA-256 / SHA-512-256).
 *
 *   A1 = unq(username) ":" unq(realm) ":" passwd
 *   A1 (-sess) = H(unq(username) ":" unq(realm) ":" passwd) ":" unq(nonce) ":" unq(cnonce)
 *   A2 = Method ":" digest-uri            (qop absent or "auth")
 *   A2 = Method ":" digest-uri ":" H(entity-body)   (qop "auth-int")
 *   response = KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop) ":" H(A2))
 *   response (no qop, RFC 2069 compatibility) = KD(H(A1), unq(nonce) ":" H(A2))
 *   KD(secret, data) = H(secret ":" data)
 */

/** The qop values of RFC 2617 §3.2.1. */
export type DigestQop = 'auth' | 'auth-int';

/** A password as text, or raw octets (Digest-AKAv1 passes the binary RES, RFC 3310 §3.3). */
export type DigestPassword = string | Buffer;

/** Inputs of {@link computeHa1}. */
export interface Ha1Input {
  algorithm?: string;
  username: string;
  realm: string;
  password: DigestPassword;
  /** Needed for the `-sess` algorithms only. */
  nonce?: string;
  /** Needed for the `-sess` algorithms only. */
  cnonce?: string;
}

function algorithmOf(a: string | DigestAlgorithm | undefined): DigestAlgorithm {
  return typeof a === 'object' ? a : parseDigestAlgorithm(a);
}

/** H(A1) (RFC 2617 §3.2.2.2, RFC 7616 §3.4.2), lowercase hex. */
export function computeHa1(input: Ha1Input): string {
  const algorithm = algorithmOf(input.algorithm);
  const ha1 = digestHash(
    algorithm.hash,
    `${input.username}:${input.realm}:`,
    typeof input.password === 'string' ? Buffer.from(input.password, 'utf8') : input.password,
  );
  if (!algorithm.session) return ha1;
  if (input.nonce === undefined || input.cnonce === undefined) {
    throw new DigestError('cnonce', `is required by ${algorithm.name}`);
  }
  return digestHash(algorithm.hash, `${ha1}:${input.nonce}:${input.cnonce}`);
}

/** Inputs of {@link computeHa2}. */
export interface Ha2Input {
  algorithm?: string;
  /** The request method; empty for rspauth (RFC 2617 §3.2.3: A2 = ":" digest-uri). */
  method: string;
  uri: string;
  qop?: DigestQop;
  /** The message body, for qop=auth-int (empty body when absent). */
  body?: string | Buffer;
}

/** H(A2) (RFC 2617 §3.2.2.3, RFC 7616 §3.4.3), lowercase hex. */
export function computeHa2(input: Ha2Input): string {
  const algorithm = algorithmOf(input.algorithm);
  if (input.qop === 'auth-int') {
    const hBody = digestHash(algorithm.hash, input.body ?? '');
    return digestHash(algorithm.hash, `${input.method}:${input.uri}:${hBody}`);
  }
  return digestHash(algorithm.hash, `${input.method}:${input.uri}`);
}

/** Inputs of {@link computeDigestResponse}: either the password or a stored H(A1). */
export type DigestResponseInput = Omit<Ha1Input, 'password'> &
  Omit<Ha2Input, 'algorithm'> & {
    nonce: string;
    /** nc as the 8 hex digits of the wire ("00000001"), or a number. Required with qop. */
    nc?: string | number;
    cnonce?: string;
  } & ({ password: DigestPassword; ha1?: undefined } | { ha1: string; password?: undefined });

/** nc-value = 8LHEX (RFC 2617 §3.2.2). */
export function formatNonceCount(nc: string | number): string {
  if (typeof nc === 'number') {
    if (!Number.isInteger(nc) || nc < 1 || nc > 0xffffffff) {
      throw new DigestError('nc', 'must be an integer 1..ffffffff');
    }
    return nc.toString(16).padStart(8, '0');
  }
  if (!/^[0-9a-fA-F]{8}$/.test(nc)) throw new DigestError('nc', 'must be 8 hex digits');
  return nc.toLowerCase();
}

function requestDigest(input: DigestResponseInput, method: string): string {
  const algorithm = algorithmOf(input.algorithm);
  if (input.qop !== undefined && input.qop !== 'auth' && input.qop !== 'auth-int') {
    throw new DigestError('qop', `"${String(input.qop)}" is not supported`);
  }
  const ha1 =
    input.ha1 !== undefined
      ? input.ha1
      : computeHa1({ ...input, algorithm: algorithm.name, password: input.password! });
  const ha2 = computeHa2({ ...input, algorithm: algorithm.name, method });
  if (input.qop === undefined) return digestHash(algorithm.hash, `${ha1}:${input.nonce}:${ha2}`);
  if (input.nc === undefined || input.cnonce === undefined) {
    throw new DigestError('cnonce', 'and nc are required with qop');
  }
  const nc = formatNonceCount(input.nc);
  return digestHash(
    algorithm.hash,
    `${ha1}:${input.nonce}:${nc}:${input.cnonce}:${input.qop}:${ha2}`,
  );
}

/** The `response` directive (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1), lowercase hex. */
export function computeDigestResponse(input: DigestResponseInput): string {
  return requestDigest(input, input.method);
}

/**
 * The `rspauth` of Authentication-Info (RFC 2617 §3.2.3): the same computation as the
 * request-digest but with "A2 = ":" digest-uri" (auth-int: ":" digest-uri ":" H(body)),
 * proving that the server also knows the password. `method` is ignored.
 */
export function computeRspauth(input: DigestResponseInput): string {
  return requestDigest(input, '');
}

/**
 * userhash (RFC 7616 §3.4.4): username = H(unq(username) ":" unq(realm)), used when the
 * challenge says userhash=true.
 */
export function computeUserhash(algorithm: string | undefined, username: string, realm: string) {
  return digestHash(parseDigestAlgorithm(algorithm).hash, `${username}:${realm}`);
}

/** Compares a received response with the expected one in constant time (case-insensitive hex). */
export function digestResponsesEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'utf8');
  const b = Buffer.from(received.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
