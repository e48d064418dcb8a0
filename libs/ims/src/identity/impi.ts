import { IdentityError } from './identity-error';

/**
 * The private user identity (IMPI) "shall take the form of a Network Access Identifier (NAI)
 * as defined in IETF RFC 4282" (TS 23.003 §13.3): username "@" realm.
 */
export interface Impi {
  username: string;
  realm: string;
}

// RFC 4282 §2.1 (simplified to the ASCII set): username = dot-string of atext chars;
// realm = labels of let-dig-hyp separated by ".".
const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~]";
const USERNAME = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`);
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const REALM = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** Parses and validates an IMPI; raises an {@link IdentityError} when malformed. */
export function parseImpi(impi: string): Impi {
  if (typeof impi !== 'string') throw new IdentityError('IMPI', 'must be a string');
  const at = impi.lastIndexOf('@');
  if (at <= 0 || at === impi.length - 1) throw new IdentityError('IMPI', 'must be user@realm');
  const username = impi.slice(0, at);
  const realm = impi.slice(at + 1);
  if (!USERNAME.test(username)) throw new IdentityError('IMPI', 'has an invalid username');
  if (!REALM.test(realm) || realm.length > 253) {
    throw new IdentityError('IMPI', 'has an invalid realm');
  }
  return { username, realm };
}

/** Whether `impi` is a well-formed NAI. */
export function isValidImpi(impi: string): boolean {
  try {
    parseImpi(impi);
    return true;
  } catch {
    return false;
  }
}

/**
 * IMPI derived from the IMSI (TS 23.003 §13.3): "<IMSI>@<home network domain>", e.g.
 * 001010000000001@ims.mnc001.mcc001.3gppnetwork.org.
 */
export function impiFromImsi(imsi: string, domain: string): string {
  if (!/^\d{6,15}$/.test(imsi)) throw new IdentityError('IMSI', 'must be 6 to 15 decimal digits');
  return `${imsi}@${domain.toLowerCase()}`;
}
