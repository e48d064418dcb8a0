/**
 * Demo subscribers, seeded when HSS_SEED_DEMO=true and the database is empty (`npm start`).
 * PUBLISHED TEST KEYS: never use them outside a lab.
 *
 * K and OP are 16 printable ASCII characters whose bytes are the key, so SIPp can use them
 * (SIPp reads aka_K / aka_OP as the raw bytes of the text and derives OPc itself; see
 * docs/rest-api.md). AMF 8000 on both sides: SIPp checks the MAC with its `aka_AMF`.
 */
export interface DemoSubscriber {
  imsi: string;
  msisdn: string;
  /** K as text (SIPp `aka_K=`), 16 ASCII characters. */
  kText: string;
  /** OP as text (SIPp `aka_OP=`), 16 ASCII characters; the same operator OP for everyone. */
  opText: string;
  amf: string;
}

/** The operator's OP of the demo network, as text. */
export const DEMO_OP_TEXT = 'ImsLabDemoOpVal1';

export const DEMO_SUBSCRIBERS: readonly DemoSubscriber[] = [
  {
    imsi: '001010000000001',
    msisdn: '15550001',
    kText: 'ImsLabDemoKey001',
    opText: DEMO_OP_TEXT,
    amf: '8000',
  },
  {
    imsi: '001010000000002',
    msisdn: '15550002',
    kText: 'ImsLabDemoKey002',
    opText: DEMO_OP_TEXT,
    amf: '8000',
  },
];

/** The hex form the REST API takes (`k`, `op`): the bytes of the text. */
export function asciiHex(text: string): string {
  return Buffer.from(text, 'latin1').toString('hex');
}

/** The SIPp `[authentication ...]` parameters of a demo subscriber (IMS AKA, AKAv1-MD5). */
export function sippAuthentication(s: DemoSubscriber, domain: string): string {
  return `[authentication username=${s.imsi}@${domain} aka_K=${s.kText} aka_OP=${s.opText} aka_AMF=0x${s.amf}]`;
}
