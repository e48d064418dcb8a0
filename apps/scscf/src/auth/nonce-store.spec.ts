import { setFlagsFromString } from 'node:v8';
import { NonceStore } from './nonce-store';

/** V8's own answer whether two objects share one hidden class (natives syntax, test only). */
function sameHiddenClass(a: object, b: object): boolean {
  setFlagsFromString('--allow-natives-syntax');
  return (new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean)(
    a,
    b,
  );
}

const base = {
  impi: 'u@ims.test',
  impu: 'sip:u@ims.test',
  cxScheme: 'Digest-AKAv1-MD5',
  algorithm: 'AKAv1-MD5',
  family: 'aka' as const,
  realm: 'ims.test',
};

describe('NonceStore (RFC 2617 §3.2.1 stale, §3.2.2 nonce-count)', () => {
  let now = 0;
  const store = () => new NonceStore({ lifetimeMs: 30_000, now: () => now, maxEntries: 3 });

  beforeEach(() => {
    now = 1_000_000;
  });

  it('is fresh within the lifetime, stale after it, unknown when never issued', () => {
    const s = store();
    s.issue({ ...base, nonce: 'n1' });
    expect(s.lookup('n1').kind).toBe('fresh');
    now += 29_999;
    expect(s.lookup('n1').kind).toBe('fresh');
    now += 1;
    expect(s.lookup('n1').kind).toBe('stale');
    expect(s.lookup('other').kind).toBe('unknown');
  });

  it('accepts only increasing nonce-counts; without qop a nonce serves once', () => {
    const s = store();
    const e = s.issue({ ...base, nonce: 'n1' });
    expect(s.acceptNonceCount(e, '00000001')).toBe(true);
    expect(s.acceptNonceCount(e, '00000001')).toBe(false);
    expect(s.acceptNonceCount(e, '00000003')).toBe(true);
    expect(s.acceptNonceCount(e, '00000002')).toBe(false);
    expect(s.acceptNonceCount(e, 'zz')).toBe(false);
    const once = s.issue({ ...base, nonce: 'n2' });
    expect(s.acceptNonceCount(once, undefined)).toBe(true);
    expect(s.acceptNonceCount(once, undefined)).toBe(false);
  });

  it('forgets the oldest nonce beyond maxEntries and on request', () => {
    const s = store();
    for (const n of ['a', 'b', 'c', 'd']) s.issue({ ...base, nonce: n });
    expect(s.lookup('a').kind).toBe('unknown');
    expect(s.size).toBe(3);
    s.forget('d');
    expect(s.lookup('d').kind).toBe('unknown');
  });

  it('drops nonces long past their lifetime when issuing new ones', () => {
    const s = store();
    s.issue({ ...base, nonce: 'old' });
    now += 4 * 30_000 + 1;
    s.issue({ ...base, nonce: 'new' });
    expect(s.lookup('old').kind).toBe('unknown');
    expect(s.lookup('new').kind).toBe('fresh');
  });

  it('drops nonces long past their lifetime on its own timer, without new challenges', () => {
    jest.useFakeTimers();
    try {
      const s = store();
      s.issue({ ...base, nonce: 'old' });
      now += 4 * 30_000 + 1;
      jest.advanceTimersByTime(30_000);
      expect(s.size).toBe(0);
      s.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps copies of its own and, once answered, only what checks a reuse (XRES)', () => {
    const s = store();
    // A MAA-like buffer: RAND || XRES || CK || IK cut from one larger message buffer.
    const maa = Buffer.alloc(200, 7);
    const e = s.issue({
      ...base,
      nonce: 'n1',
      rand: maa.subarray(10, 26),
      xres: maa.subarray(26, 34),
      ck: maa.subarray(34, 50),
      ik: maa.subarray(50, 66),
    });
    for (const b of [e.rand!, e.xres!, e.ck!, e.ik!]) {
      expect(b.buffer).not.toBe(maa.buffer);
      expect(b.buffer.byteLength).toBe(16 + 8 + 16 + 16);
    }
    expect(e.xres!.equals(maa.subarray(26, 34))).toBe(true);
    expect(e.ik!.equals(maa.subarray(50, 66))).toBe(true);
    expect(s.acceptNonceCount(e, '00000001')).toBe(true);
    expect([e.rand, e.ck, e.ik]).toEqual([undefined, undefined, undefined]);
    expect(e.xres!.equals(maa.subarray(26, 34))).toBe(true);
    expect(s.acceptNonceCount(e, '00000002')).toBe(true);
    // AKAv2 derives its password from RES, IK and CK (RFC 4169 §4): they stay.
    const v2 = s.issue({
      ...base,
      algorithm: 'AKAv2-MD5',
      nonce: 'n2',
      xres: maa.subarray(26, 34),
      ck: maa.subarray(34, 50),
      ik: maa.subarray(50, 66),
    });
    expect(s.acceptNonceCount(v2, '00000001')).toBe(true);
    expect(v2.ik!.equals(maa.subarray(50, 66))).toBe(true);
    expect(v2.ck!.equals(maa.subarray(34, 50))).toBe(true);
  });

  it('gives every entry one hidden class, answered or not (no per-entry V8 map)', () => {
    const s = store();
    const maa = Buffer.alloc(100, 1);
    const issue = (n: string) =>
      s.issue({
        ...base,
        nonce: n,
        rand: maa.subarray(0, 16),
        xres: maa.subarray(16, 24),
        ck: maa.subarray(24, 40),
        ik: maa.subarray(40, 56),
      });
    const [a, b, c] = [issue('a'), issue('b'), issue('c')];
    s.acceptNonceCount(a, '00000001');
    s.acceptNonceCount(b, '00000001');
    expect(sameHiddenClass(a, b)).toBe(true);
    expect(sameHiddenClass(a, c)).toBe(true);
  });
});
