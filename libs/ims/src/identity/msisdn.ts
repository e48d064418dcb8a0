import { IdentityError } from './identity-error';

/**
 * An MSISDN as an E.164 number (TS 23.003 §3.3: CC + NDC + SN, at most 15 digits, ITU-T
 * E.164 §6). Accepts an optional leading "+" and visual separators; returns the digits.
 */
export function normalizeMsisdn(msisdn: string): string {
  if (typeof msisdn !== 'string') throw new IdentityError('MSISDN', 'must be a string');
  const digits = msisdn
    .trim()
    .replace(/^\+/, '')
    .replace(/[-.() ]/g, '');
  if (!/^\d{1,15}$/.test(digits)) {
    throw new IdentityError('MSISDN', 'must be an E.164 number of at most 15 digits');
  }
  return digits;
}

/** Whether {@link normalizeMsisdn} accepts the value. */
export function isValidMsisdn(msisdn: string): boolean {
  try {
    normalizeMsisdn(msisdn);
    return true;
  } catch {
    return false;
  }
}
