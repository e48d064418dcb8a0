import { IdentityError } from './identity-error';

/** The parts of an IMSI (TS 23.003 §2.2): MCC (3 digits), MNC (2 or 3), MSIN. */
export interface ImsiParts {
  mcc: string;
  mnc: string;
  msin: string;
}

/**
 * "IMSI shall consist of decimal digits (0 through 9) only. The number of digits in IMSI
 * shall not exceed 15" (TS 23.003 §2.2); it is MCC (3) + MNC (2 or 3) + MSIN.
 */
export function isValidImsi(imsi: string): boolean {
  return typeof imsi === 'string' && /^\d{6,15}$/.test(imsi);
}

/** Splits an IMSI given the length of its MNC (2 or 3 digits; not derivable from the IMSI). */
export function parseImsi(imsi: string, mncLength: 2 | 3 = 2): ImsiParts {
  if (!isValidImsi(imsi)) throw new IdentityError('IMSI', 'must be 6 to 15 decimal digits');
  if (mncLength !== 2 && mncLength !== 3) throw new IdentityError('MNC length', 'must be 2 or 3');
  return {
    mcc: imsi.slice(0, 3),
    mnc: imsi.slice(3, 3 + mncLength),
    msin: imsi.slice(3 + mncLength),
  };
}

/**
 * The IMS home network domain name (TS 23.003 §13.2): "ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org",
 * where "if there are only 2 significant digits in the MNC, one "0" digit shall be inserted
 * at the left side to fill the 3 digits coding of MNC".
 */
export function homeDomain(mcc: string, mnc: string): string {
  if (typeof mcc !== 'string' || !/^\d{3}$/.test(mcc)) {
    throw new IdentityError('MCC', 'must be 3 decimal digits');
  }
  if (typeof mnc !== 'string' || !/^\d{2,3}$/.test(mnc)) {
    throw new IdentityError('MNC', 'must be 2 or 3 decimal digits');
  }
  return `ims.mnc${mnc.padStart(3, '0')}.mcc${mcc}.3gppnetwork.org`;
}

/** The home network domain derived from an IMSI (TS 23.003 §13.2). */
export function homeDomainFromImsi(imsi: string, mncLength: 2 | 3 = 2): string {
  const { mcc, mnc } = parseImsi(imsi, mncLength);
  return homeDomain(mcc, mnc);
}
