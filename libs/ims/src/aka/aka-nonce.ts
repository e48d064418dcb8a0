import { AkaError } from './aka-error';
import { decodeBase64Strict } from './base64';
import { BytesLike, toBytes } from './bytes';

/** The decoded Digest-AKA nonce (RFC 3310 §3.2, Figure 1). */
export interface AkaNonce {
  rand: Buffer;
  autn: Buffer;
  /** "server specific data" after RAND and AUTN (usually empty); clients ignore it. */
  serverData: Buffer;
}

/**
 * nonce = base64(RAND ‖ AUTN ‖ server specific data) (RFC 3310 §3.2: "the nonce directive
 * ... is the base64 encoding of the concatenation of RAND, AUTN and server-specific data").
 * In IMS RAND ‖ AUTN is the Cx SIP-Authenticate AVP (TS 29.229 §6.3.10).
 */
export function encodeAkaNonce(rand: BytesLike, autn: BytesLike, serverData?: BytesLike): string {
  return Buffer.concat([
    toBytes(rand, 'RAND', 16),
    toBytes(autn, 'AUTN', 16),
    serverData === undefined ? Buffer.alloc(0) : toBytes(serverData, 'server data'),
  ]).toString('base64');
}

/**
 * Splits a Digest-AKA nonce into RAND (first 16 octets), AUTN (next 16) and the rest.
 * Tolerates missing base64 padding; a nonce shorter than 32 octets raises an {@link AkaError}.
 */
export function decodeAkaNonce(nonce: string): AkaNonce {
  if (typeof nonce !== 'string') throw new AkaError('nonce', 'must be a string');
  const raw = decodeBase64Strict(nonce, 'nonce');
  if (raw.length < 32) throw new AkaError('nonce', `decodes to ${raw.length} octets, need 32`);
  return { rand: raw.subarray(0, 16), autn: raw.subarray(16, 32), serverData: raw.subarray(32) };
}

/**
 * The `auts` directive value (RFC 3310 §3.4): `auts = "auts" EQUAL LDQUOT auts-param RDQUOT`,
 * base64 of the 14-octet AUTS.
 */
export function encodeAutsParam(auts: BytesLike): string {
  return toBytes(auts, 'AUTS', 14).toString('base64');
}

/** Decodes an `auts` directive value to the 14-octet AUTS (missing padding tolerated). */
export function decodeAutsParam(param: string): Buffer {
  if (typeof param !== 'string') throw new AkaError('auts', 'must be a string');
  const raw = decodeBase64Strict(param, 'auts');
  if (raw.length !== 14) throw new AkaError('auts', `decodes to ${raw.length} octets, need 14`);
  return raw;
}
