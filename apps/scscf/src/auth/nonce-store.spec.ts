import { NonceStore } from './nonce-store';

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
});
