import { AuthThrottle } from './auth-throttle';

describe('AuthThrottle (failed authentications per IMPI)', () => {
  let now = 0;
  const make = (o: Partial<ConstructorParameters<typeof AuthThrottle>[0]> = {}) =>
    new AuthThrottle({
      maxFailures: 3,
      windowMs: 60_000,
      backoffMs: 10_000,
      maxEntries: 100,
      now: () => now,
      ...o,
    });
  beforeEach(() => (now = 1_000_000));

  it('blocks after N failures within the window, for the back-off, then lets the IMPI in', () => {
    const t = make();
    expect(t.failed('a@x')).toBe(false);
    expect(t.failed('A@X')).toBe(false); // IMPIs compare case-insensitively
    expect(t.blockedFor('a@x')).toBe(0);
    expect(t.failed('a@x')).toBe(true);
    expect(t.blockedFor('a@x')).toBe(10_000);
    expect(t.blockedFor('b@x')).toBe(0); // per IMPI
    now += 9_999;
    expect(t.blockedFor('a@x')).toBe(1);
    now += 1;
    expect(t.blockedFor('a@x')).toBe(0);
    // A fresh window after the back-off: one failure does not block again.
    expect(t.failed('a@x')).toBe(false);
    expect(t.blockedFor('a@x')).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const t = make();
    t.failed('a@x');
    t.failed('a@x');
    now += 60_000;
    expect(t.failed('a@x')).toBe(false);
    expect(t.failed('a@x')).toBe(false);
    expect(t.failed('a@x')).toBe(true);
  });

  it('a success resets the counter', () => {
    const t = make();
    t.failed('a@x');
    t.failed('a@x');
    t.succeeded('a@x');
    expect(t.size).toBe(0);
    expect(t.failed('a@x')).toBe(false);
  });

  it('is off with maxFailures 0', () => {
    const t = make({ maxFailures: 0 });
    for (let i = 0; i < 10; i++) expect(t.failed('a@x')).toBe(false);
    expect(t.blockedFor('a@x')).toBe(0);
    expect(t.size).toBe(0);
  });

  it('keeps at most maxEntries IMPIs: expired ones go first, then the least recently failed', () => {
    const t = make({ maxEntries: 3 });
    t.failed('old@x');
    now += 60_000; // old@x's window is over
    t.failed('b@x');
    t.failed('b@x');
    t.failed('b@x'); // blocked
    t.failed('c@x');
    t.failed('d@x'); // full: old@x (expired) goes
    expect(t.size).toBe(3);
    expect(t.blockedFor('b@x')).toBeGreaterThan(0);
    for (let i = 0; i < 1000; i++) t.failed(`flood-${i}@x`);
    expect(t.size).toBe(3);
  });
});
