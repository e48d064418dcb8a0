/** Test subscribers: identities derived as DESIGN.md says, keys as the HSS REST API takes them. */
import { randomBytes } from 'node:crypto';
import { DOMAIN } from './lab';

export interface TestSubscriber {
  imsi: string;
  msisdn: string;
  impi: string;
  impu: string;
  /** The implicit registration set the one-call shortcut creates. */
  impus: string[];
  k: string;
  op: string;
  amf: string;
}

let counter = 0;

/** A fresh AKA subscriber with random K/OP (unique IMSI per process and call). */
export function akaSubscriber(prefix = '00101'): TestSubscriber {
  counter++;
  const imsi = `${prefix}${String(process.pid % 10000).padStart(4, '0')}${String(counter).padStart(6, '0')}`;
  const msisdn = `1555${String(process.pid % 1000).padStart(3, '0')}${String(counter).padStart(4, '0')}`;
  const impi = `${imsi}@${DOMAIN}`;
  return {
    imsi,
    msisdn,
    impi,
    impu: `sip:${imsi}@${DOMAIN}`,
    impus: [`sip:${imsi}@${DOMAIN}`, `sip:+${msisdn}@${DOMAIN}`, `tel:+${msisdn}`],
    k: randomBytes(16).toString('hex'),
    op: randomBytes(16).toString('hex'),
    amf: '8000',
  };
}

/** The body of `POST /subscribers` for a test subscriber. */
export function shortcutBody(
  s: TestSubscriber,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { imsi: s.imsi, msisdn: s.msisdn, k: s.k, op: s.op, amf: s.amf, ...extra };
}
