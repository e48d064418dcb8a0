import { computeOpc, f1, f1Star, f2, f3, f4, f5, f5Star, milenage, milenageF1 } from './milenage';
import { AkaError } from './aka-error';
import testSets from '../../../../test/vectors/milenage.json';
import derived from '../../../../test/vectors/milenage-derived.json';

const hex = (b: Buffer) => b.toString('hex');

describe('MILENAGE (TS 35.206 §4.1) against the TS 35.208 §4.3 test sets', () => {
  it('covers every published test set', () => {
    expect(testSets.map((t) => t.testSet)).toEqual(testSets.map((_, i) => i + 1));
    expect(testSets.length).toBeGreaterThanOrEqual(6);
  });

  describe.each(testSets.map((t) => [t.testSet, t] as const))('Test Set %i', (_n, t) => {
    const keys = { k: t.K, opc: t.OPc };

    it('derives OPc from OP', () => {
      expect(hex(computeOpc(t.K, t.OP))).toBe(t.OPc);
    });
    it('f1 (MAC-A) and f1* (MAC-S)', () => {
      expect(hex(f1(keys, t.RAND, t.SQN, t.AMF))).toBe(t.f1);
      expect(hex(f1Star(keys, t.RAND, t.SQN, t.AMF))).toBe(t.f1star);
    });
    it('f2 (RES), f3 (CK), f4 (IK)', () => {
      expect(hex(f2(keys, t.RAND))).toBe(t.f2);
      expect(hex(f3(keys, t.RAND))).toBe(t.f3);
      expect(hex(f4(keys, t.RAND))).toBe(t.f4);
    });
    it('f5 (AK) and f5* (AK*)', () => {
      expect(hex(f5(keys, t.RAND))).toBe(t.f5);
      expect(hex(f5Star(keys, t.RAND))).toBe(t.f5star);
    });
    it('milenage(): every function at once, one TEMP and one keyed E_K', () => {
      const all = milenage(keys, t.RAND, t.SQN, t.AMF);
      expect([all.macA, all.macS, all.res, all.ck, all.ik, all.ak, all.akStar].map(hex)).toEqual([
        t.f1,
        t.f1star,
        t.f2,
        t.f3,
        t.f4,
        t.f5,
        t.f5star,
      ]);
    });
    it('accepts Buffers as well as hex strings', () => {
      const buf = (s: string) => Buffer.from(s, 'hex');
      const out = milenageF1({ k: buf(t.K), opc: buf(t.OPc) }, buf(t.RAND), buf(t.SQN), buf(t.AMF));
      expect(hex(out.macA)).toBe(t.f1);
    });
  });
});

describe('OPc derivations from other public implementations', () => {
  const opcCases = derived.filter((d) => 'OP' in d && d.OP && !('RAND' in d));
  it.each(opcCases.map((d) => [d.source, d] as const))('%s', (_s, d) => {
    expect(hex(computeOpc(d.K, d.OP!))).toBe(d.OPc);
  });
});

describe('bad input', () => {
  it('rejects a short K with a typed error naming the field', () => {
    expect(() => computeOpc('00', '00'.repeat(16))).toThrow(AkaError);
    expect(() => computeOpc('00', '00'.repeat(16))).toThrow(/K must be 16 octets/);
  });
  it('rejects malformed hex', () => {
    expect(() => f2({ k: 'zz'.repeat(16), opc: '00'.repeat(16) }, '00'.repeat(16))).toThrow(
      /K is not a hex string/,
    );
  });
  it('rejects a wrong-length SQN or AMF', () => {
    const keys = { k: '00'.repeat(16), opc: '00'.repeat(16) };
    expect(() => f1(keys, '00'.repeat(16), '00'.repeat(5), '0000')).toThrow(/SQN must be 6/);
    expect(() => f1(keys, '00'.repeat(16), '00'.repeat(6), '00')).toThrow(/AMF must be 2/);
  });
});
