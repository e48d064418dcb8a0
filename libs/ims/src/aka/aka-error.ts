/**
 * Bad input to the AKA helpers (a key of the wrong length, a malformed hex string or nonce).
 * `field` names the offending parameter so callers can answer with a precise error.
 */
export class AkaError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`AKA: ${field} ${problem}`);
    this.name = 'AkaError';
  }
}
