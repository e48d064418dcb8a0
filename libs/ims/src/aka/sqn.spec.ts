import fc from 'fast-check';
import {
  checkSqnFreshness,
  DEFAULT_DELTA,
  isSqnFresh,
  joinSqn,
  nextSqn,
  splitSqn,
  sqnFromBigInt,
  sqnToBigInt,
} from './sqn';

const sqn = (n: bigint) => sqnFromBigInt(n);

describe('SQN = SEQ ‖ IND (TS 33.102 Annex C.1.1, IND of 5 bits)', () => {
  it('splits and joins', () => {
    const s = Buffer.from('ff9bb4d0b607', 'hex');
    const parts = splitSqn(s);
    expect(parts.ind).toBe(0x07);
    expect(parts.seq).toBe(0xff9bb4d0b607n >> 5n);
    expect(joinSqn(parts).equals(s)).toBe(true);
    expect(splitSqn(s, 0)).toEqual({ seq: 0xff9bb4d0b607n, ind: 0 });
  });

  it('nextSqn increments SEQ and keeps IND unless told otherwise', () => {
    expect(nextSqn(sqn(0x21n)).toString('hex')).toBe('000000000041');
    expect(nextSqn(sqn(0x21n), { ind: 2 }).toString('hex')).toBe('000000000042');
    // with IND of 0 bits it is a plain counter (libosmocore: 0x21 -> 0x22)
    expect(nextSqn(sqn(0x21n), { indLength: 0 }).toString('hex')).toBe('000000000022');
  });

  it('nextSqn refuses to wrap around', () => {
    expect(() => nextSqn('ffffffffffff')).toThrow(/exhausted/);
    expect(() => nextSqn('000000000000', { ind: 32 })).toThrow(/IND must be/);
  });

  it('nextSqn is strictly increasing and never repeats (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 47n) - 1n }),
        fc.array(fc.integer({ min: 0, max: 31 }), { minLength: 1, maxLength: 20 }),
        (start, inds) => {
          let current = sqn(start);
          const seen = new Set([current.toString('hex')]);
          for (const ind of inds) {
            const next = nextSqn(current, { ind });
            expect(splitSqn(next).seq).toBe(splitSqn(current).seq + 1n);
            expect(sqnToBigInt(next)).toBeGreaterThan(sqnToBigInt(current));
            expect(seen.has(next.toString('hex'))).toBe(false);
            seen.add(next.toString('hex'));
            current = next;
          }
        },
      ),
    );
  });

  it('nextSqn keeps the integer SQN strictly increasing when IND is kept (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 47n) - 1n }), (start) => {
        const a = sqn(start);
        const b = nextSqn(a);
        expect(sqnToBigInt(b)).toBeGreaterThan(sqnToBigInt(a));
        expect(isSqnFresh(b, a)).toBe(true);
      }),
    );
  });
});

describe('USIM freshness check (TS 33.102 C.2.1/C.2.2)', () => {
  const base = 0xff9bb4d0b627n; // SQN_MS of the aka-digest resync example
  it('accepts a higher SEQ', () => {
    expect(checkSqnFreshness(sqn(base + 32n), sqn(base))).toBe('fresh');
  });
  it('rejects a replay or an older SEQ as not fresh', () => {
    expect(checkSqnFreshness(sqn(base), sqn(base))).toBe('not-fresh');
    expect(checkSqnFreshness(sqn(0xff9bb4d0b607n), sqn(base))).toBe('not-fresh');
    // same SEQ, different IND is still not fresh
    expect(checkSqnFreshness(sqn(base + 1n), sqn(base - 7n))).toBe('not-fresh');
  });
  it('rejects a SEQ more than Δ ahead as out of range', () => {
    const seqMs = splitSqn(sqn(base)).seq;
    const atDelta = joinSqn({ seq: seqMs + DEFAULT_DELTA, ind: 0 });
    const beyond = joinSqn({ seq: seqMs + DEFAULT_DELTA + 1n, ind: 0 });
    expect(checkSqnFreshness(atDelta, sqn(base))).toBe('fresh');
    expect(checkSqnFreshness(beyond, sqn(base))).toBe('out-of-range');
    expect(checkSqnFreshness(sqn(base + 64n), sqn(base), { delta: 1n })).toBe('out-of-range');
  });
  it('rejects malformed SQNs with a typed error', () => {
    expect(() => checkSqnFreshness('00', sqn(1n))).toThrow(/SQN must be 6 octets/);
    expect(() => sqnFromBigInt(1n << 48n)).toThrow(/outside/);
  });
});
