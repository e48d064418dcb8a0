import { SipParseError } from '../errors/sip-parse-error';
import {
  AuthField,
  formatAuthField,
  formatAuthParamList,
  parseAuthField,
  parseAuthParamList,
} from '../message/auth-field';
import { DigestError } from './digest-error';

/**
 * The auth-param lists of WWW-Authenticate, Proxy-Authenticate, Authorization,
 * Proxy-Authorization (RFC 3261 §25.1, RFC 2617 §1.2, RFC 7235 §2.1) and
 * Authentication-Info (RFC 2617 §3.2.3), for the Digest layer: the grammar is
 * message/auth-field.ts (one reader for the whole stack); here its errors become
 * {@link DigestError}s, so a Digest caller catches one error type.
 *
 * Parameter names are case-insensitive and returned lower-cased; values are unquoted
 * (quoted-pairs resolved). Parameters keep their order.
 */
export type AuthHeader = AuthField;

function digestError(err: unknown, header: string): unknown {
  return err instanceof SipParseError ? new DigestError(header, err.problem ?? err.message) : err;
}

/**
 * Parses a challenge or credentials header value (`Digest realm="x", nonce="y", ...`).
 * Raises a {@link DigestError} for malformed input.
 */
export function parseAuthHeader(value: string, header = 'auth header'): AuthHeader {
  if (typeof value !== 'string') throw new DigestError(header, 'must be a string');
  try {
    return parseAuthField(value, header);
  } catch (err) {
    throw digestError(err, header);
  }
}

/** Parses a bare auth-param list, e.g. Authentication-Info (RFC 2617 §3.2.3). */
export function parseAuthParams(
  value: string,
  header = 'Authentication-Info',
): Map<string, string> {
  if (typeof value !== 'string') throw new DigestError(header, 'must be a string');
  try {
    return parseAuthParamList(value, header);
  } catch (err) {
    throw digestError(err, header);
  }
}

/**
 * Formats `name=value` pairs, quoting every value except those named in `tokens` (which
 * are sent bare when they are valid tokens, as the grammar requires for e.g. `algorithm`,
 * `stale`, `nc` and the `qop` of credentials). Undefined values are left out.
 */
export function formatAuthParams(
  params: Record<string, string | undefined>,
  tokens?: ReadonlySet<string>,
): string {
  try {
    return formatAuthParamList(Object.entries(params), tokens);
  } catch (err) {
    throw new DigestError('auth-param', (err as Error).message);
  }
}

/** `auth-scheme SP auth-param-list`. */
export function formatAuthHeader(
  scheme: string,
  params: Record<string, string | undefined>,
  tokens?: ReadonlySet<string>,
): string {
  const entries = Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined);
  try {
    return formatAuthField({ scheme, params: new Map(entries) }, tokens);
  } catch (err) {
    throw new DigestError('auth-param', (err as Error).message);
  }
}
