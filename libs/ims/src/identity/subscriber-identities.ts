import { homeDomainFromImsi, isValidImsi } from './home-domain';
import { IdentityError } from './identity-error';
import { impiFromImsi } from './impi';
import { normalizeMsisdn } from './msisdn';

/** The identities of one subscriber as the test bed provisions them (DESIGN.md). */
export interface SubscriberIdentities {
  /** `<imsi>@<domain>` (TS 23.003 §13.3). */
  impi: string;
  /** `sip:<imsi>@<domain>` (the TS 23.003 §13.4B temporary IMPU form). */
  sipImsi: string;
  /** `sip:+<msisdn>@<domain>`. */
  sipMsisdn?: string;
  /** `tel:+<msisdn>`. */
  tel?: string;
  /** Every IMPU above, in that order (the implicit registration set). */
  impus: string[];
  domain: string;
}

/** Inputs of {@link deriveIdentities}. */
export interface DeriveIdentitiesInput {
  imsi: string;
  msisdn?: string;
  /** Home domain; derived from the IMSI (TS 23.003 §13.2) when omitted. */
  domain?: string;
  /** Digits of the MNC inside the IMSI, used only to derive the domain (default 2). */
  mncLength?: 2 | 3;
}

/**
 * Derives IMPI and IMPUs from IMSI, MSISDN and the home domain: IMPI `<imsi>@<domain>`,
 * IMPUs `sip:<imsi>@<domain>`, `sip:+<msisdn>@<domain>`, `tel:+<msisdn>`.
 */
export function deriveIdentities(input: DeriveIdentitiesInput): SubscriberIdentities {
  if (!isValidImsi(input.imsi)) {
    throw new IdentityError('IMSI', 'must be 6 to 15 decimal digits');
  }
  const domain = (input.domain ?? homeDomainFromImsi(input.imsi, input.mncLength)).toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain)) {
    throw new IdentityError('domain', 'is not a valid domain name');
  }
  const impi = impiFromImsi(input.imsi, domain);
  const sipImsi = `sip:${input.imsi}@${domain}`;
  if (input.msisdn === undefined) return { impi, sipImsi, impus: [sipImsi], domain };
  const msisdn = normalizeMsisdn(input.msisdn);
  const sipMsisdn = `sip:+${msisdn}@${domain}`;
  const tel = `tel:+${msisdn}`;
  return { impi, sipImsi, sipMsisdn, tel, impus: [sipImsi, sipMsisdn, tel], domain };
}
