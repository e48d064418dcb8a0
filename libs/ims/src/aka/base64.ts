import { AkaError } from './aka-error';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes standard-alphabet base64 (RFC 4648 §4), tolerating missing `=` padding (seen in
 * the wild for Digest-AKA nonces and auts). Anything else raises an {@link AkaError}.
 */
export function decodeBase64Strict(text: string, field: string): Buffer {
  const t = text.trim();
  if (!BASE64.test(t)) throw new AkaError(field, 'is not base64');
  const body = t.replace(/=+$/, '');
  if (body.length % 4 === 1) throw new AkaError(field, 'has an impossible base64 length');
  if (t.includes('=') && t.length % 4 !== 0) throw new AkaError(field, 'has malformed padding');
  return Buffer.from(body, 'base64');
}
