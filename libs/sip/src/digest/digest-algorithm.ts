import { hash as oneShotHash } from 'node:crypto';
import { DigestError } from './digest-error';

/** The hash functions of RFC 7616 §3.2 ("MD5", "SHA-256", "SHA-512-256"), RFC 8760 for SIP. */
export type DigestHash = 'MD5' | 'SHA-256' | 'SHA-512-256';

/** A Digest `algorithm` directive, decomposed. */
export interface DigestAlgorithm {
  /** The value as it appears on the wire, e.g. `MD5`, `SHA-256-sess`, `AKAv1-MD5`. */
  name: string;
  hash: DigestHash;
  /** `-sess` variant (RFC 7616 §3.4.2: A1 also covers nonce and cnonce). */
  session: boolean;
  /**
   * The AKA version when the algorithm is `AKAv<n>-<hash>` (RFC 3310 §3.1). Only the
   * password differs for AKA (RES, RFC 3310 §3.3); the Digest computation is the hash's.
   */
  akaVersion?: number;
}

const NODE_HASH: Record<DigestHash, string> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};

const ALGORITHM = /^(?:AKAv(\d+)-)?(MD5|SHA-256|SHA-512-256)(-sess)?$/i;

/**
 * Parses an `algorithm` value. Absent means MD5 (RFC 2617 §3.2.1 "If this is not present it
 * is assumed to be MD5"). Raises a {@link DigestError} for anything unsupported.
 */
export function parseDigestAlgorithm(value?: string): DigestAlgorithm {
  const name = value === undefined || value === '' ? 'MD5' : value.trim();
  const m = ALGORITHM.exec(name);
  if (!m) throw new DigestError('algorithm', `"${name}" is not supported`);
  const hash = m[2].toUpperCase() as DigestHash;
  return {
    name,
    hash,
    session: m[3] !== undefined,
    ...(m[1] !== undefined ? { akaVersion: Number(m[1]) } : {}),
  };
}

/** H(data): the algorithm's hash, as lowercase hex (RFC 7616 §3.4: "H(data)"). */
export function digestHash(hash: DigestHash, ...parts: (string | Buffer)[]): string {
  // One-shot hash of the parts' UTF-8 octets in order (crypto.hash, Node >= 20.12: no Hash
  // object per call); the usual parts are all strings and are joined as text.
  let text = '';
  for (const p of parts) {
    if (typeof p !== 'string') {
      const bytes = parts.map((q) => (typeof q === 'string' ? Buffer.from(q, 'utf8') : q));
      return oneShotHash(NODE_HASH[hash], Buffer.concat(bytes), 'hex');
    }
    text += p;
  }
  return oneShotHash(NODE_HASH[hash], text, 'hex');
}
