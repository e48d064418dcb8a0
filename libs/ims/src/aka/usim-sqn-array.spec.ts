import { generateAuthVector } from './auth-vector';
import { verifyAuts } from './resync';
import { joinSqn } from './sqn';
import { ueProcessChallenge } from './ue-challenge';
import { UsimSqnArray } from './usim-sqn-array';
import testSets from '../../../../test/vectors/milenage.json';

const sqn = (seq: number, ind: number) => joinSqn({ seq: BigInt(seq), ind });

describe('USIM SQN array (TS 33.102 Annex C.2.2)', () => {
  it('accepts vectors with different IND out of order, never the same SEQ twice per IND', () => {
    const usim = new UsimSqnArray();
    usim.accept(sqn(5, 1));
    expect(usim.check(sqn(4, 2))).toBe('fresh'); // older SEQ, other slot: accepted
    usim.accept(sqn(4, 2));
    expect(usim.check(sqn(4, 2))).toBe('not-fresh'); // replay
    expect(usim.check(sqn(5, 1))).toBe('not-fresh');
    expect(usim.check(sqn(6, 1))).toBe('fresh');
    expect(usim.sqnMs.equals(sqn(5, 1))).toBe(true); // highest accepted
  });

  it('applies Δ against the highest SEQ and the optional age limit L', () => {
    const usim = new UsimSqnArray({ delta: 10n, ageLimit: 3n });
    usim.accept(sqn(10, 0));
    expect(usim.check(sqn(20, 1))).toBe('fresh');
    expect(usim.check(sqn(21, 1))).toBe('out-of-range');
    expect(usim.check(sqn(8, 1))).toBe('fresh'); // 10 - 8 < 3
    expect(usim.check(sqn(7, 1))).toBe('not-fresh'); // too old: 10 - 7 >= L
    expect(() => usim.accept(sqn(7, 1))).toThrow(/not-fresh/);
  });

  it('drives ueProcessChallenge: sync failure carries the highest accepted SQN in AUTS', () => {
    const t = testSets[0];
    const usim = new UsimSqnArray();
    const first = generateAuthVector({ k: t.K, opc: t.OPc, amf: '8000', sqn: sqn(100, 3) });
    const ok = ueProcessChallenge({
      k: t.K,
      opc: t.OPc,
      rand: first.rand,
      autn: first.autn,
      usimSqn: usim,
    });
    expect(ok.kind).toBe('ok');
    if (ok.kind === 'ok') usim.accept(ok.sqn);

    const stale = generateAuthVector({ k: t.K, opc: t.OPc, amf: '8000', sqn: sqn(99, 3) });
    const out = ueProcessChallenge({
      k: t.K,
      opc: t.OPc,
      rand: stale.rand,
      autn: stale.autn,
      usimSqn: usim,
    });
    expect(out.kind).toBe('sync-failure');
    if (out.kind !== 'sync-failure') return;
    const resync = verifyAuts({ k: t.K, opc: t.OPc, rand: stale.rand, auts: out.auts });
    expect(resync!.sqnMs.equals(sqn(100, 3))).toBe(true);

    // a vector from another IND slot with an older SEQ is still fine
    const other = generateAuthVector({ k: t.K, opc: t.OPc, amf: '8000', sqn: sqn(99, 4) });
    expect(
      ueProcessChallenge({ k: t.K, opc: t.OPc, rand: other.rand, autn: other.autn, usimSqn: usim })
        .kind,
    ).toBe('ok');
  });

  it('rejects a bad IND length', () => {
    expect(() => new UsimSqnArray({ indLength: 11 })).toThrow(/IND length/);
  });
});
