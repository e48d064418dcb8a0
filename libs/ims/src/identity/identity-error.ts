/** A malformed IMSI, MSISDN, MCC/MNC, IMPI or IMPU; `field` names which. */
export class IdentityError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`identity: ${field} ${problem}`);
    this.name = 'IdentityError';
  }
}
