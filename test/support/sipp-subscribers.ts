/**
 * Subscribers SIPp 3.6.1 can register with IMS AKA (see ../shared/SIPP-NOTES.md): K and OP
 * are 16 printable characters whose bytes are the keys (SIPp re-reads decoded keys as
 * scenario text, so hex keys with a 0x00, 0x0a or 0x5b byte break it), AMF 8000 on both sides.
 */
import * as fs from 'node:fs';
import { DOMAIN } from './lab';

export interface SippSubscriber {
  imsi: string;
  msisdn: string;
  kText: string;
  opText: string;
  amf: string;
}

export const SIPP_OP_TEXT = 'OperatorOpValue1';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `n` subscribers with IMSIs `<prefix><index>` (15 digits), deterministic keys. */
export function sippSubscribers(n: number, prefix: string): SippSubscriber[] {
  const out: SippSubscriber[] = [];
  for (let i = 0; i < n; i++) {
    const imsi = `${prefix}${String(i).padStart(15 - prefix.length, '0')}`;
    let seed = (i + 1) * 7919;
    let kText = 'K';
    for (let c = 0; c < 15; c++) {
      seed = (seed * 48271) % 0x7fffffff;
      kText += ALPHABET[seed % ALPHABET.length];
    }
    out.push({ imsi, msisdn: `1${imsi.slice(-10)}`, kText, opText: SIPP_OP_TEXT, amf: '8000' });
  }
  return out;
}

/** The body of `POST /subscribers/bulk` (text/csv) for these subscribers. */
export function bulkCsv(subs: SippSubscriber[]): string {
  const hex = (t: string) => Buffer.from(t, 'latin1').toString('hex');
  return (
    [
      'imsi,msisdn,k,op,amf',
      ...subs.map((s) => `${s.imsi},${s.msisdn},${hex(s.kText)},${hex(s.opText)},${s.amf}`),
    ].join('\n') + '\n'
  );
}

/** The SIPp injection file of test/sipp/ims-aka-register.xml for these subscribers. */
export function writeInjectionFile(file: string, subs: SippSubscriber[], domain = DOMAIN): void {
  const lines = subs.map(
    (s) =>
      `${s.imsi};${domain};[authentication username=${s.imsi}@${domain} aka_K=${s.kText} aka_OP=${s.opText} aka_AMF=0x${s.amf}]`,
  );
  fs.writeFileSync(file, ['SEQUENTIAL', ...lines].join('\n') + '\n');
}
