import { createHmac } from 'node:crypto';
import { AkaError } from './aka-error';
import { BytesLike, toBytes } from './bytes';

/**
 * An HTTP Digest AKA algorithm, RFC 3310 §3.1: `algorithm-value = aka-version "-"
 * algorithm`, `aka-version = "AKAv" 1*DIGIT`, e.g. AKAv1-MD5, AKAv2-MD5 (RFC 4169).
 */
export interface AkaAlgorithm {
  /** 1 (RFC 3310) or 2 (RFC 4169). */
  version: number;
  /** The Digest algorithm after the AKA prefix, e.g. `MD5`, `SHA-256`. */
  digest: string;
}

const AKA_ALGORITHM = /^AKAv(\d+)-(.+)$/i;

/** Parses `AKAv<n>-<digest>`; returns null for a non-AKA algorithm such as plain `MD5`. */
export function parseAkaAlgorithm(algorithm: string): AkaAlgorithm | null {
  const m = AKA_ALGORITHM.exec(algorithm.trim());
  if (!m) return null;
  return { version: Number(m[1]), digest: m[2].toUpperCase() };
}

/** The node:crypto hash behind a Digest algorithm name (PRF of RFC 4169 §3). */
function nodeHash(digest: string): string {
  switch (digest.toUpperCase().replace(/-SESS$/, '')) {
    case 'MD5':
      return 'md5';
    case 'SHA-256':
      return 'sha256';
    case 'SHA-512-256':
      return 'sha512-256';
    default:
      throw new AkaError('algorithm', `has an unsupported digest "${digest}"`);
  }
}

function akaAlgorithmOf(algorithm: string): AkaAlgorithm {
  const a = parseAkaAlgorithm(algorithm);
  if (!a) throw new AkaError('algorithm', `"${algorithm}" is not an AKAv<n>-<digest> algorithm`);
  if (a.version !== 1 && a.version !== 2) {
    throw new AkaError('algorithm', `AKA version ${a.version} is not supported`);
  }
  return a;
}

/** The PRF of RFC 4169 §3: HMAC with the hash of the Digest algorithm. */
function prf(digest: string, key: Buffer, data: string): Buffer {
  return createHmac(nodeHash(digest), key).update(data, 'ascii').digest();
}

/**
 * The Digest "password" for an AKA algorithm.
 *
 * - AKAv1 (RFC 3310 §3.3, RFC 4169 §3 "the password in AKAv1 is in binary format"): RES
 *   itself, as raw octets (XRES on the server).
 * - AKAv2 (RFC 4169 §3): `base64(PRF(RES ‖ IK ‖ CK, "http-digest-akav2-password"))`; the
 *   password is that base64 text (returned as its ASCII octets).
 */
export function akaPassword(
  algorithm: string,
  res: BytesLike,
  ik?: BytesLike,
  ck?: BytesLike,
): Buffer {
  const a = akaAlgorithmOf(algorithm);
  const RES = toBytes(res, 'RES');
  if (RES.length < 4 || RES.length > 16) throw new AkaError('RES', 'must be 4..16 octets');
  if (a.version === 1) return RES;
  if (ik === undefined || ck === undefined) throw new AkaError('IK/CK', 'are required for AKAv2');
  const key = Buffer.concat([RES, toBytes(ik, 'IK', 16), toBytes(ck, 'CK', 16)]);
  return Buffer.from(prf(a.digest, key, 'http-digest-akav2-password').toString('base64'), 'ascii');
}

/**
 * AKAv2 session keys (RFC 4169 §3): IK' = PRF(IK, "http-digest-akav2-integritykey") and
 * CK' = PRF(CK, "http-digest-akav2-cipherkey"), "IK and CK ... MUST NOT be used directly".
 */
export function akav2SessionKeys(
  algorithm: string,
  ik: BytesLike,
  ck: BytesLike,
): { ikPrime: Buffer; ckPrime: Buffer } {
  const a = akaAlgorithmOf(algorithm);
  if (a.version !== 2) throw new AkaError('algorithm', "session keys IK'/CK' are AKAv2 only");
  return {
    ikPrime: prf(a.digest, toBytes(ik, 'IK', 16), 'http-digest-akav2-integritykey'),
    ckPrime: prf(a.digest, toBytes(ck, 'CK', 16), 'http-digest-akav2-cipherkey'),
  };
}
