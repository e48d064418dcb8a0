/**
 * Diameter codec: encode + decode (with the dictionary validation decodeMessage does) of typical
 * Cx messages, in µs per message. `npm run bench -- diameter-codec`.
 */
import { BenchRow, BenchSuite, median, timeMicros } from './bench-row';
import {
  DiameterMessage,
  ServerAssignmentType,
  buildMaa,
  buildMar,
  buildSaa,
  buildSar,
  decodeMessage,
  encodeMessage,
} from '@lib/diameter';

const REALM = 'ims.mnc001.mcc001.3gppnetwork.org';
const IMPI = `001010000000001@${REALM}`;
const IMPU = `sip:001010000000001@${REALM}`;
const head = { originHost: `scscf.${REALM}`, originRealm: REALM, destinationRealm: REALM };

/** An IMSSubscription of about 2 KB (one service profile, three identities, iFCs). */
function userDataXml(): string {
  const ifc = (p: number) =>
    `<InitialFilterCriteria><Priority>${p}</Priority><TriggerPoint><ConditionTypeCNF>0</ConditionTypeCNF>` +
    `<SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>INVITE</Method></SPT>` +
    `<SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><SessionCase>0</SessionCase></SPT></TriggerPoint>` +
    `<ApplicationServer><ServerName>sip:as${p}.${REALM}</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer>` +
    `<ProfilePartIndicator>0</ProfilePartIndicator></InitialFilterCriteria>`;
  let xml =
    `<?xml version="1.0" encoding="UTF-8"?><IMSSubscription><PrivateID>${IMPI}</PrivateID><ServiceProfile>` +
    `<PublicIdentity><BarringIndication>0</BarringIndication><Identity>${IMPU}</Identity></PublicIdentity>` +
    `<PublicIdentity><Identity>sip:+15551230001@${REALM}</Identity></PublicIdentity>` +
    `<PublicIdentity><Identity>tel:+15551230001</Identity></PublicIdentity>`;
  for (let p = 0; xml.length < 1900; p++) xml += ifc(p);
  return xml + '</ServiceProfile></IMSSubscription>';
}

function messages(): { name: string; msg: DiameterMessage }[] {
  const mar = buildMar({
    ...head,
    userName: IMPI,
    publicIdentity: IMPU,
    serverName: `sip:scscf.${REALM}:6060`,
    numberAuthItems: 1,
    authDataItem: { scheme: 'Digest-AKAv1-MD5' },
  });
  const maa = buildMaa(mar, {
    resultCode: 2001,
    originHost: `hss.${REALM}`,
    originRealm: REALM,
    userName: IMPI,
    publicIdentity: IMPU,
    items: [
      {
        itemNumber: 1,
        scheme: 'Digest-AKAv1-MD5',
        authenticate: Buffer.alloc(32, 7),
        authorization: Buffer.alloc(8, 8),
        confidentialityKey: Buffer.alloc(16, 9),
        integrityKey: Buffer.alloc(16, 10),
      },
    ],
  });
  const sar = buildSar({
    ...head,
    userName: IMPI,
    publicIdentities: [IMPU],
    serverName: `sip:scscf.${REALM}:6060`,
    serverAssignmentType: ServerAssignmentType.REGISTRATION,
    userDataAlreadyAvailable: 0,
  });
  const saa = buildSaa(sar, {
    resultCode: 2001,
    originHost: `hss.${REALM}`,
    originRealm: REALM,
    userName: IMPI,
    userData: userDataXml(),
  });
  return [
    { name: 'MAR', msg: mar },
    { name: 'MAA (1 AKA vector)', msg: maa },
    { name: 'SAA (~2 KB User-Data)', msg: saa },
  ];
}

export const suite: BenchSuite = {
  id: 'diameter-codec',
  async run(): Promise<BenchRow[]> {
    return messages().map(({ name, msg }) => {
      const size = encodeMessage(msg).length;
      const runs = timeMicros(() => decodeMessage(encodeMessage(msg)), 20000);
      return {
        name: `Diameter encode+decode ${name}`,
        value: median(runs),
        unit: 'µs/msg',
        runs,
        command: 'npm run bench -- diameter-codec',
        note: `${size} octets on the wire; decode validates every known AVP against its data type`,
      };
    });
  },
};
