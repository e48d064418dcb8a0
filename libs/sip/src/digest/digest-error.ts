/**
 * Malformed Digest input: an unparsable WWW-Authenticate / Authorization header, an
 * unsupported algorithm or qop, a bad nonce-count. `field` names what was wrong, so a
 * server can answer 400 and a client can report the challenge it could not use.
 */
export class DigestError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`Digest: ${field} ${problem}`);
    this.name = 'DigestError';
  }
}
