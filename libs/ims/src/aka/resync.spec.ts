import fc from 'fast-check';
import { encodeAutsParam, decodeAutsParam } from './aka-nonce';
import { computeAuts, verifyAuts } from './resync';
import derived from '../../../../test/vectors/milenage-derived.json';
import akaDigest from '../../../../test/vectors/aka-digest-vectors.json';

const hex = (b: Buffer) => b.toString('hex');

describe('re-synchronisation (TS 33.102 §6.3.5): AUTS -> SQN_MS', () => {
  const valid = derived.filter((d) => 'AUTS' in d && d.SQN_MS);
  it.each(valid.map((d) => [d.source, d] as const))('%s', (_s, d) => {
    const out = verifyAuts({ k: d.K, opc: d.OPc, rand: d.RAND!, auts: d.AUTS! });
    expect(out).not.toBeNull();
    expect(hex(out!.sqnMs)).toBe(d.SQN_MS);
    // and the USIM side produces the same AUTS from SQN_MS
    expect(hex(computeAuts({ k: d.K, opc: d.OPc, rand: d.RAND!, sqnMs: d.SQN_MS! }))).toBe(d.AUTS);
  });

  const invalid = derived.filter((d) => 'AUTS_valid' in d && d.AUTS_valid === false);
  it('has a negative case in the vectors', () => expect(invalid.length).toBeGreaterThan(0));
  it.each(invalid.map((d) => [d.source, d] as const))('%s -> null (MAC-S fails)', (_s, d) => {
    expect(verifyAuts({ k: d.K, opc: d.OPc, rand: d.RAND!, auts: d.AUTS! })).toBeNull();
  });

  it('aka-digest-vectors.json resync: AUTS, auts directive, MAR SIP-Authorization', () => {
    const s = akaDigest.subscriber;
    const r = akaDigest.resync;
    const auts = computeAuts({ k: s.K, op: s.OP, rand: s.RAND, sqnMs: r.SQN_MS });
    expect(hex(auts)).toBe(r.AUTS);
    expect(encodeAutsParam(auts)).toBe(r.auts_param);
    expect(hex(decodeAutsParam(r.auts_param))).toBe(r.AUTS);
    expect(hex(auts.subarray(6))).toBe(r.MAC_S_amf0000);
    expect(hex(Buffer.concat([Buffer.from(s.RAND, 'hex'), auts]))).toBe(
      r.MAR_SIP_Authorization_hex,
    );
    expect(hex(verifyAuts({ k: s.K, opc: s.OPc, rand: s.RAND, auts })!.sqnMs)).toBe(r.SQN_MS);
  });

  it('rejects a tampered AUTS (any single bit flipped)', () => {
    const d = valid[0];
    const auts = Buffer.from(d.AUTS!, 'hex');
    for (let bit = 0; bit < auts.length * 8; bit += 7) {
      const bad = Buffer.from(auts);
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(verifyAuts({ k: d.K, opc: d.OPc, rand: d.RAND!, auts: bad })).toBeNull();
    }
  });

  it('raises a typed error for an AUTS of the wrong length', () => {
    const d = valid[0];
    expect(() => verifyAuts({ k: d.K, opc: d.OPc, rand: d.RAND!, auts: '00' })).toThrow(
      /AUTS must be 14 octets/,
    );
  });

  it('round-trips: verifyAuts(computeAuts(SQN_MS)) = SQN_MS (property)', () => {
    const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map(Buffer.from);
    fc.assert(
      fc.property(bytes(16), bytes(16), bytes(16), bytes(6), (k, opc, rand, sqnMs) => {
        const auts = computeAuts({ k, opc, rand, sqnMs });
        const out = verifyAuts({ k, opc, rand, auts });
        expect(out).not.toBeNull();
        expect(out!.sqnMs.equals(sqnMs)).toBe(true);
        expect(decodeAutsParam(encodeAutsParam(auts)).equals(auts)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
