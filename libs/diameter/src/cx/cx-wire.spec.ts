/**
 * Known-good bytes written by hand from the TS 29.229 §6.1.7/§6.1.8 ABNF and the AVP table of
 * test/vectors/cx-dictionary.md (codes, vendor 10415, flags V+M = 0xC0, base AVPs M =
 * 0x40), independently of our encoder: the decoder must name every AVP and the typed views
 * must read the values.
 */
import { decodeMessage, encodeMessage } from '../codec/diameter-message';
import { validateRequest } from '../validation/validate-request';
import { parseMaa, parseMar } from '.';

/** One AVP by hand: code, flags, [vendor], data, zero padding (RFC 6733 §4.1). */
function avpBytes(code: number, flags: number, vendor: number | undefined, data: Buffer): Buffer {
  const header = Buffer.alloc(vendor === undefined ? 8 : 12);
  header.writeUInt32BE(code, 0);
  header.writeUInt32BE(((flags << 24) | (header.length + data.length)) >>> 0, 4);
  if (vendor !== undefined) header.writeUInt32BE(vendor, 8);
  const pad = Buffer.alloc((4 - (data.length % 4)) % 4);
  return Buffer.concat([header, data, pad]);
}
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const s = (t: string) => Buffer.from(t, 'utf8');
const base = (code: number, data: Buffer) => avpBytes(code, 0x40, undefined, data);
const tgpp = (code: number, data: Buffer) => avpBytes(code, 0xc0, 10415, data);

function message(code: number, flags: number, avps: Buffer[]): Buffer {
  const body = Buffer.concat(avps);
  const h = Buffer.alloc(20);
  h.writeUInt32BE((1 << 24) | (20 + body.length), 0);
  h.writeUInt32BE(((flags << 24) | code) >>> 0, 4);
  h.writeUInt32BE(16777216, 8);
  h.writeUInt32BE(0x1234, 12);
  h.writeUInt32BE(0x5678, 16);
  return Buffer.concat([h, body]);
}

const vsai = base(260, Buffer.concat([base(266, u32(10415)), base(258, u32(16777216))]));
const RAND = Buffer.from('23553cbe9637a89d218ae64dae47bf35', 'hex');
const AUTN = Buffer.from('55f328b43577b9b94a9ffac354dfafb3', 'hex');
const XRES = Buffer.from('a54211d5e3ba50bf', 'hex');
const CK = Buffer.from('b40ba9a3c58b2a05bbf0d987b21bf8cb', 'hex');
const IK = Buffer.from('f769bcd751044604127672711c6d3441', 'hex');

const MAR = message(303, 0xc0, [
  base(263, s('scscf.ims.example;1;1')), // Session-Id
  vsai, // Vendor-Specific-Application-Id
  base(277, u32(1)), // Auth-Session-State NO_STATE_MAINTAINED
  base(264, s('scscf.ims.example')), // Origin-Host
  base(296, s('ims.example')), // Origin-Realm
  base(283, s('ims.example')), // Destination-Realm
  base(1, s('alice@ims.example')), // User-Name
  tgpp(601, s('sip:alice@ims.example')), // Public-Identity
  tgpp(612, tgpp(608, s('Digest-AKAv1-MD5'))), // SIP-Auth-Data-Item { SIP-Authentication-Scheme }
  tgpp(607, u32(1)), // SIP-Number-Auth-Items
  tgpp(602, s('sip:scscf.ims.example:6060')), // Server-Name
]);

const MAA = message(303, 0x40, [
  base(263, s('scscf.ims.example;1;1')),
  vsai,
  avpBytes(297, 0x40, undefined, Buffer.concat([base(266, u32(10415)), base(298, u32(2001))])), // Experimental-Result { Vendor-Id, Experimental-Result-Code }
  base(277, u32(1)),
  base(264, s('hss.ims.example')),
  base(296, s('ims.example')),
  base(1, s('alice@ims.example')),
  tgpp(601, s('sip:alice@ims.example')),
  tgpp(607, u32(1)),
  tgpp(
    612,
    Buffer.concat([
      tgpp(613, u32(1)), // SIP-Item-Number
      tgpp(608, s('Digest-AKAv1-MD5')),
      tgpp(609, Buffer.concat([RAND, AUTN])), // SIP-Authenticate
      tgpp(610, XRES), // SIP-Authorization
      tgpp(625, CK), // Confidentiality-Key
      tgpp(626, IK), // Integrity-Key
    ]),
  ),
]);

describe('hand-built Cx MAR/MAA bytes', () => {
  it('decodes the MAR, names every AVP, validates, and re-encodes identically', () => {
    const m = decodeMessage(MAR);
    expect(m.commandName).toBe('Multimedia-Auth-Request');
    expect(m.avps.map((a) => a.name)).toEqual([
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
    expect(m.find('SIP-Auth-Data-Item')!.children.map((a) => a.name)).toEqual([
      'SIP-Authentication-Scheme',
    ]);
    expect(validateRequest(m)).toBeNull();
    expect(parseMar(m)).toMatchObject({
      userName: 'alice@ims.example',
      publicIdentity: 'sip:alice@ims.example',
      serverName: 'sip:scscf.ims.example:6060',
      numberAuthItems: 1,
      authDataItem: { scheme: 'Digest-AKAv1-MD5' },
    });
    expect(encodeMessage(m)).toEqual(MAR);
  });

  it('decodes the MAA and reads the AKA vector', () => {
    const m = decodeMessage(MAA);
    expect(m.commandName).toBe('Multimedia-Auth-Answer');
    expect(m.avps.every((a) => a.name !== undefined)).toBe(true);
    const item = m.find('SIP-Auth-Data-Item')!;
    expect(item.children.map((a) => a.name)).toEqual([
      'SIP-Item-Number',
      'SIP-Authentication-Scheme',
      'SIP-Authenticate',
      'SIP-Authorization',
      'Confidentiality-Key',
      'Integrity-Key',
    ]);
    const maa = parseMaa(m);
    expect(maa).toMatchObject({
      resultCode: 2001,
      experimental: true,
      userName: 'alice@ims.example',
    });
    expect(maa.items).toEqual([
      {
        itemNumber: 1,
        scheme: 'Digest-AKAv1-MD5',
        authenticate: Buffer.concat([RAND, AUTN]),
        authorization: XRES,
        confidentialityKey: CK,
        integrityKey: IK,
      },
    ]);
    expect(encodeMessage(m)).toEqual(MAA);
  });
});
