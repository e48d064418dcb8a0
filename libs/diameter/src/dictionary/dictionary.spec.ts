import * as path from 'node:path';
import * as fs from 'node:fs';
import { parseCommandAbnf, parseGroupedAbnf } from './abnf';
import { CX_APPLICATION_ID, VENDOR_3GPP } from './cx-application';
import { dictionary } from './dictionary';

const CX_MD = path.join(__dirname, '../../../../test/vectors/cx-dictionary.md');
const WIRESHARK_TGPP = '/usr/share/wireshark/diameter/TGPP.xml';

describe('RFC 6733 §3.2 / §4.4 ABNF reader', () => {
  it('reads header flags, application and qualifiers', () => {
    const c = parseCommandAbnf(`<X> ::= < Diameter Header: 300, REQ, PXY, 16777216 >
      < Session-Id > { Origin-Host } 1* { Host-IP-Address } [ User-Name ] 2*5 [ Route-Record ] * [ AVP ] ; comment`);
    expect(c).toMatchObject({ code: 300, request: true, proxiable: true, applicationId: 16777216 });
    expect(c.rules).toEqual([
      { name: 'Session-Id', min: 1, max: 1, fixed: true },
      { name: 'Origin-Host', min: 1, max: 1, fixed: false },
      { name: 'Host-IP-Address', min: 1, max: Infinity, fixed: false },
      { name: 'User-Name', min: 0, max: 1, fixed: false },
      { name: 'Route-Record', min: 2, max: 5, fixed: false },
      { name: 'AVP', min: 0, max: Infinity, fixed: false },
    ]);
    expect(parseGroupedAbnf('G ::= < AVP Header: 612 10415 > *{ X }')).toMatchObject({
      code: 612,
      vendorId: 10415,
      rules: [{ name: 'X', min: 1, max: Infinity }],
    });
    expect(() => parseCommandAbnf('<X> ::= < Diameter Header: 1 > { A ]')).toThrow();
  });
});

describe('dictionary lookups', () => {
  it('finds AVPs by (code, vendor) and by name', () => {
    expect(dictionary.avp(263)?.name).toBe('Session-Id');
    expect(dictionary.avp(601, VENDOR_3GPP)?.name).toBe('Public-Identity');
    expect(dictionary.avp(601)).toBeUndefined();
    // 650 is Load (RFC 8583) without vendor and Session-Priority with vendor 10415
    expect(dictionary.avp(650)?.name).toBe('Load');
    expect(dictionary.avp(650, VENDOR_3GPP)?.name).toBe('Session-Priority');
    expect(dictionary.avpByName('Experimental-Result-Code')).toMatchObject({
      code: 298,
      type: 'Unsigned32',
    });
  });

  it('finds commands by (application, code, R) and by name', () => {
    expect(dictionary.command(303, CX_APPLICATION_ID, true)?.name).toBe('Multimedia-Auth-Request');
    expect(dictionary.command(303, CX_APPLICATION_ID, false)?.abbreviation).toBe('MAA');
    expect(dictionary.command(257, 0, true)?.name).toBe('Capabilities-Exchange-Request');
    expect(dictionary.command(303, 0, true)).toBeUndefined();
    for (const [abbr, code] of [
      ['UAR', 300],
      ['SAR', 301],
      ['LIR', 302],
      ['MAR', 303],
      ['RTR', 304],
      ['PPR', 305],
      ['UAA', 300],
      ['SAA', 301],
      ['LIA', 302],
      ['MAA', 303],
      ['RTA', 304],
      ['PPA', 305],
      ['CER', 257],
      ['CEA', 257],
      ['DWR', 280],
      ['DWA', 280],
      ['DPR', 282],
      ['DPA', 282],
    ] as const) {
      expect(dictionary.commandByName(abbr)?.code).toBe(code);
    }
  });

  it('keeps the ABNF of TS 29.229 §6.1: MAR requires SIP-Auth-Data-Item, SIP-Number-Auth-Items, Server-Name', () => {
    const mar = dictionary.commandByName('MAR')!;
    const required = mar.rules.filter((r) => r.min > 0).map((r) => r.name);
    expect(required).toEqual([
      'Session-Id',
      'Vendor-Specific-Application-Id',
      'Auth-Session-State',
      'Origin-Host',
      'Origin-Realm',
      'Destination-Realm',
      'User-Name',
      'Public-Identity',
      'SIP-Auth-Data-Item',
      'SIP-Number-Auth-Items',
      'Server-Name',
    ]);
    expect(
      dictionary
        .avpByName('SIP-Digest-Authenticate')!
        .rules!.filter((r) => r.min > 0)
        .map((r) => r.name),
    ).toEqual(['Digest-Realm', 'Digest-QoP', 'Digest-HA1']);
  });
});

describe('Cx AVPs match TS 29.229 Table 6.3.1 (cx-dictionary.md) and Wireshark', () => {
  const md = fs.readFileSync(CX_MD, 'utf8');
  // | Visited-Network-Identifier | 600 | §6.3.1 | OctetString | M,V |  |  | same |
  const rows = [...md.matchAll(/^\| ([A-Za-z-]+) \| (6\d\d) \| §[\d.]+ \| (\w+) \| ([MV,]+) \|/gm)];

  it('has every AVP of the table with its code, type and M-bit rule', () => {
    expect(rows.length).toBeGreaterThanOrEqual(58);
    for (const [, name, code, type, must] of rows) {
      const def = dictionary.avp(Number(code), VENDOR_3GPP);
      expect({ name: def?.name, type: def?.type, mustM: def?.mBit === 'must' }).toEqual({
        name,
        type,
        mustM: must.includes('M'),
      });
    }
  });

  it('has the base AVPs of the table with their codes and types', () => {
    const base = [
      ...md.matchAll(/^\| ([A-Za-z-]+) \| (\d+) \| (\w+)(?: \([^)]*\))? \| [^|]*\|$/gm),
    ];
    expect(base.length).toBeGreaterThanOrEqual(24);
    for (const [, name, code, type] of base) {
      if (name === 'Line-Identifier') continue; // vendor 13019, checked below
      const def = dictionary.avpByName(name);
      expect([def?.code, def?.type]).toEqual([Number(code), type]);
    }
    expect(dictionary.avp(500, 13019)?.name).toBe('Line-Identifier');
  });

  const haveWireshark = fs.existsSync(WIRESHARK_TGPP);
  (haveWireshark ? it : it.skip)(
    'agrees with Wireshark TGPP.xml on the type of every Cx AVP code',
    () => {
      const xml = fs.readFileSync(WIRESHARK_TGPP, 'utf8');
      let compared = 0;
      for (const m of xml.matchAll(
        /<avp name="([^"]+)" code="(6[0-5]\d)"([^>]*)>([\s\S]*?)<\/avp>/g,
      )) {
        if (!m[3].includes('vendor-id="TGPP"') || m[1].endsWith('-OBSOLETE')) continue;
        const wsType = m[4].includes('<grouped') ? 'Grouped' : /type-name="([^"]+)"/.exec(m[4])![1];
        const def = dictionary.avp(Number(m[2]), VENDOR_3GPP);
        expect([m[2], def?.type]).toEqual([
          m[2],
          wsType === 'OctetStringOrUTF8' ? 'OctetString' : wsType,
        ]);
        compared++;
      }
      expect(compared).toBeGreaterThanOrEqual(58);
    },
  );

  it('has the enumerations of §6.3', () => {
    expect(dictionary.avpByName('Server-Assignment-Type')!.enumValues!.get(14)).toBe('RESTORATION');
    expect(dictionary.avpByName('User-Authorization-Type')!.enumValues!.get(2)).toBe(
      'REGISTRATION_AND_CAPABILITIES',
    );
    expect(dictionary.avpByName('Reason-Code')!.enumValues!.get(3)).toBe('REMOVE_S-CSCF');
    expect(dictionary.avpByName('Auth-Session-State')!.enumValues!.get(1)).toBe(
      'NO_STATE_MAINTAINED',
    );
  });
});
