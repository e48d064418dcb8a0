import { SweepTimer } from './sweep-timer';

describe('SweepTimer', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** A store of expiries swept by the timer; `swept` records when each entry went. */
  function store(minGapMs: number) {
    const entries = new Set<number>();
    const swept: [number, number][] = [];
    const timer: SweepTimer = new SweepTimer(() => {
      const now = Date.now();
      let next = Infinity;
      for (const at of entries) {
        if (at <= now) {
          entries.delete(at);
          swept.push([at, now]);
        } else next = Math.min(next, at);
      }
      timer.schedule(next);
    }, minGapMs);
    const add = (at: number) => {
      entries.add(at);
      timer.schedule(at);
    };
    return { entries, swept, add, timer };
  }

  it('sweeps at the earliest expiry, then at the next one', () => {
    const s = store(0);
    s.add(1_005_000);
    s.add(1_002_000);
    jest.advanceTimersByTime(1_999);
    expect(s.swept).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(s.swept).toEqual([[1_002_000, 1_002_000]]);
    jest.advanceTimersByTime(3_000);
    expect(s.swept).toEqual([
      [1_002_000, 1_002_000],
      [1_005_000, 1_005_000],
    ]);
    expect(s.entries.size).toBe(0);
  });

  it('keeps sweeps minGapMs apart: close expiries go together', () => {
    const s = store(1000);
    s.add(1_000_100);
    s.add(1_000_200);
    s.add(1_000_300);
    jest.advanceTimersByTime(100);
    expect(s.swept).toEqual([[1_000_100, 1_000_100]]);
    jest.advanceTimersByTime(999);
    expect(s.swept.length).toBe(1);
    jest.advanceTimersByTime(1);
    expect(s.swept.slice(1)).toEqual([
      [1_000_200, 1_001_100],
      [1_000_300, 1_001_100],
    ]);
  });

  it('an earlier expiry moves the timer forward; stop cancels it', () => {
    const s = store(0);
    s.add(1_010_000);
    s.add(1_001_000);
    jest.advanceTimersByTime(1_000);
    expect(s.swept).toEqual([[1_001_000, 1_001_000]]);
    s.timer.stop();
    jest.advanceTimersByTime(20_000);
    expect(s.swept.length).toBe(1);
  });
});
