import { generateAuthVector } from './auth-vector';
import { buildAutn, parseAutn } from './autn';
import testSets from '../../../../test/vectors/milenage.json';
import derived from '../../../../test/vectors/milenage-derived.json';
import akaDigest from '../../../../test/vectors/aka-digest-vectors.json';

const hex = (b: Buffer) => b.toString('hex');

describe('authentication vector generation (TS 33.102 §6.3.2)', () => {
  it.each(testSets.map((t) => [t.testSet, t] as const))(
    'TS 35.208 Test Set %i: AUTN = SQN⊕AK ‖ AMF ‖ MAC-A, XRES, CK, IK, AK',
    (_n, t) => {
      const av = generateAuthVector({ k: t.K, opc: t.OPc, amf: t.AMF, sqn: t.SQN, rand: t.RAND });
      expect(hex(av.autn)).toBe(t.AUTN);
      expect(hex(av.xres)).toBe(t.f2);
      expect(hex(av.ck)).toBe(t.f3);
      expect(hex(av.ik)).toBe(t.f4);
      expect(hex(av.ak)).toBe(t.f5);
      expect(hex(av.rand)).toBe(t.RAND);
    },
  );

  it.each(testSets.map((t) => [t.testSet, t] as const))(
    'Test Set %i: the same vector from OP as from OPc',
    (_n, t) => {
      const av = generateAuthVector({ k: t.K, op: t.OP, amf: t.AMF, sqn: t.SQN, rand: t.RAND });
      expect(hex(av.autn)).toBe(t.AUTN);
    },
  );

  const generation = derived.filter((d) => 'AUTN' in d && d.AUTN);
  it.each(generation.map((d) => [d.source, d] as const))('%s', (_s, d) => {
    const av = generateAuthVector({ k: d.K, opc: d.OPc, amf: d.AMF!, sqn: d.SQN!, rand: d.RAND! });
    expect(hex(av.autn)).toBe(d.AUTN);
    expect(hex(av.xres)).toBe(d.RES);
    expect(hex(av.ck)).toBe(d.CK);
    expect(hex(av.ik)).toBe(d.IK);
  });

  it('reproduces the IMS example of aka-digest-vectors.json', () => {
    const s = akaDigest.subscriber;
    const av = generateAuthVector({ k: s.K, op: s.OP, amf: s.AMF, sqn: s.SQN, rand: s.RAND });
    expect(hex(av.autn)).toBe(akaDigest.vector.AUTN);
    expect(hex(av.xres)).toBe(akaDigest.vector.XRES);
    expect(hex(av.ak)).toBe(akaDigest.vector.AK);
    expect(hex(Buffer.concat([av.rand, av.autn]))).toBe(akaDigest.vector.SIP_Authenticate_AVP);
  });

  it('draws a fresh 16-octet RAND when none is given', () => {
    const t = testSets[0];
    const a = generateAuthVector({ k: t.K, opc: t.OPc, amf: t.AMF, sqn: t.SQN });
    const b = generateAuthVector({ k: t.K, opc: t.OPc, amf: t.AMF, sqn: t.SQN });
    expect(a.rand).toHaveLength(16);
    expect(a.rand.equals(b.rand)).toBe(false);
    expect(a.autn.equals(b.autn)).toBe(false);
  });

  it('needs OPc or OP', () => {
    const t = testSets[0];
    expect(() => generateAuthVector({ k: t.K, opc: null, amf: t.AMF, sqn: t.SQN })).toThrow(
      /OPc is required/,
    );
  });
});

describe('AUTN fields', () => {
  it('parseAutn inverts buildAutn', () => {
    const t = testSets[0];
    const autn = buildAutn(t.SQN, t.f5, t.AMF, t.f1);
    expect(hex(autn)).toBe(t.AUTN);
    const f = parseAutn(autn);
    expect(hex(f.amf)).toBe(t.AMF);
    expect(hex(f.mac)).toBe(t.f1);
    expect(hex(f.sqnXorAk)).toBe(t.AUTN.slice(0, 12));
  });
  it('rejects an AUTN that is not 16 octets', () => {
    expect(() => parseAutn('00'.repeat(15))).toThrow(/AUTN must be 16 octets/);
  });
});
