import { budget, checkRates, climb, RampPhase, RampStep, ratesFromEnv, settle } from './ramp';
import { deadlines } from './run';
import { BenchSuite } from './bench-row';

/**
 * A fake machine for the ramp: a rate passes when it is at most `capacity`; `flaky` rates fail
 * on the listed attempts (1-based, per rate). Every step is recorded with its phase.
 */
function machine(capacity: number, flaky: Record<number, number[]> = {}) {
  const calls: { rate: number; phase: RampPhase }[] = [];
  const attempts = new Map<number, number>();
  const step = async (rate: number, phase: RampPhase): Promise<RampStep> => {
    calls.push({ rate, phase });
    const n = (attempts.get(rate) ?? 0) + 1;
    attempts.set(rate, n);
    const passed = rate <= capacity && !(flaky[rate] ?? []).includes(n);
    return { offered: rate, achieved: passed ? rate * 0.99 : rate * 0.6, passed };
  };
  /** The ramp over `rates` on this machine, floor 25/s, no budget. */
  const climbOn = (rates: number[]) => climb({ rates, minRate: 25, step, overBudget: () => false });
  return { calls, step, climbOn };
}

const never = () => false;

describe('climb', () => {
  it('goes up until the first failure, then halves the gap while it is 1.3x or more', async () => {
    const m = machine(300);
    const c = await m.climbOn([100, 200, 400, 800]);
    expect(m.calls).toEqual([
      { rate: 100, phase: 'ramp' },
      { rate: 200, phase: 'ramp' },
      { rate: 400, phase: 'ramp' },
      { rate: 300, phase: 'refine' },
      // 400 / 300 is 1.33: once more; 350 / 300 is 1.17: done.
      { rate: 350, phase: 'refine' },
    ]);
    expect(c.best?.offered).toBe(300);
    expect(c.failing?.offered).toBe(350);
  });

  it('refines below a refinement that failed', async () => {
    const m = machine(250);
    const c = await m.climbOn([100, 200, 400]);
    // 300 failed, so the next pair is 200 and 300.
    expect(c.steps.map((s) => s.offered)).toEqual([100, 200, 400, 300, 250]);
    expect(c.best?.offered).toBe(250);
    expect(c.failing?.offered).toBe(300);
  });

  it('keeps the lower best when every refinement fails', async () => {
    const m = machine(210);
    const c = await m.climbOn([100, 200, 400]);
    // 250 / 200 is 1.25: no third refinement.
    expect(c.steps.map((s) => s.offered)).toEqual([100, 200, 400, 300, 250]);
    expect(c.best?.offered).toBe(200);
    expect(c.failing?.offered).toBe(250);
  });

  it('stops refining once over budget', async () => {
    const m = machine(500);
    let refined = 0;
    const c = await climb({
      rates: [100, 200, 400, 800],
      minRate: 25,
      step: async (rate, phase) => {
        if (phase === 'refine') refined++;
        return m.step(rate, phase);
      },
      overBudget: () => refined >= 1,
    });
    expect(m.calls.map((x) => x.rate)).toEqual([100, 200, 400, 800, 600]);
    expect(c.best?.offered).toBe(400);
    expect(c.failing?.offered).toBe(600);
  });

  it('does not refine between rates less than 1.3x apart', async () => {
    const m = machine(110);
    const c = await m.climbOn([100, 120]);
    expect(m.calls.map((x) => x.phase)).toEqual(['ramp', 'ramp']);
    expect(c.best?.offered).toBe(100);
  });

  it('halves from the first rate, not below minRate, when the first rate fails', async () => {
    const m = machine(30);
    const c = await m.climbOn([100, 200]);
    expect(m.calls).toEqual([
      { rate: 100, phase: 'ramp' },
      { rate: 50, phase: 'ramp down' },
      { rate: 25, phase: 'ramp down' },
      // 50 is the nearest rate above 25 that failed: refine between them.
      { rate: 38, phase: 'refine' },
      { rate: 32, phase: 'refine' },
    ]);
    expect(c.best?.offered).toBe(25);
    expect(c.failing?.offered).toBe(32);
  });

  it('gives no best when even minRate fails', async () => {
    const m = machine(10);
    const c = await m.climbOn([100]);
    expect(m.calls.map((x) => x.rate)).toEqual([100, 50, 25]);
    expect(c.best).toBeUndefined();
  });

  it('stops climbing and does not refine once over budget', async () => {
    const m = machine(10_000);
    let spent = false;
    const c = await climb({
      rates: [100, 200, 400],
      minRate: 25,
      step: async (rate, phase) => {
        spent = rate >= 200;
        return m.step(rate, phase);
      },
      overBudget: () => spent,
    });
    expect(m.calls.map((x) => x.rate)).toEqual([100, 200]);
    expect(c.best?.offered).toBe(200);
  });

  it('logs each step with its phase', async () => {
    const m = machine(150);
    const seen: string[] = [];
    await climb({
      rates: [100, 200],
      minRate: 25,
      step: m.step,
      overBudget: never,
      log: (phase, s) => seen.push(`${phase} ${s.offered} ${s.passed}`),
    });
    expect(seen).toEqual([
      'ramp 100 true',
      'ramp 200 false',
      'refine 150 true',
      'refine 175 false',
    ]);
  });
});

describe('settle', () => {
  it('repeats the best rate and takes the median of all its runs', async () => {
    const m = machine(300, { 300: [3] });
    const c = await m.climbOn([100, 200, 400]);
    const s = await settle({ ...c, best: c.best! }, 3, m.step, never);
    expect(m.calls.slice(-2)).toEqual([
      { rate: 300, phase: 'repeat' },
      { rate: 300, phase: 'repeat' },
    ]);
    expect(s.head.offered).toBe(300);
    expect(s.failedRuns).toBe(1);
    // The failed repeat stays in: a rate is as good as all its runs.
    expect(s.headRuns.map((r) => r.achieved)).toEqual([297, 297, 180]);
    expect(s.fallback).toBe('');
  });

  it('tries the rate halfway down when most runs at the best fail, and takes it when it holds', async () => {
    const m = machine(650, { 600: [2, 3] });
    const c = await m.climbOn([100, 200, 400, 800]);
    // 800 failed, 600 passed once (refine), 700 failed: best is 600.
    expect(c.best?.offered).toBe(600);
    const s = await settle({ ...c, best: c.best! }, 3, m.step, never);
    expect(s.failedRuns).toBe(2);
    // 400 passed and is 1.5x below: 500 gets three runs of its own.
    expect(m.calls.slice(-3)).toEqual([
      { rate: 500, phase: 'refine' },
      { rate: 500, phase: 'repeat' },
      { rate: 500, phase: 'repeat' },
    ]);
    expect(s.head.offered).toBe(500);
    expect(s.headRuns).toHaveLength(3);
    expect(s.fallback).toMatch(/2 of 3 runs at 600\/s failed.*halfway.*500\/s, 0 of 3/);
  });

  it('falls back to the next lower passing rate when the rate halfway fails too', async () => {
    const m = machine(400, { 400: [2, 3] });
    const c = await m.climbOn([100, 200, 400, 800]);
    // 800 failed, then the refinements 600 and 500: best is 400.
    expect(c.best?.offered).toBe(400);
    // Halfway to 200 is 300, which this machine passes: make its first run fail.
    const step = (rate: number, phase: RampPhase) =>
      rate === 300
        ? Promise.resolve({ offered: 300, achieved: 200, passed: false })
        : m.step(rate, phase);
    const s = await settle({ ...c, best: c.best! }, 3, step, never);
    expect(s.failedRuns).toBe(2);
    expect(s.head.offered).toBe(200);
    expect(s.headRuns).toHaveLength(1);
    expect(s.fallback).toMatch(/2 of 3 runs at 400\/s failed.*200\/s/);
  });

  it('falls back straight to the next lower pass when it is less than 1.3x below', async () => {
    const m = machine(120, { 120: [2, 3] });
    const c = await m.climbOn([100, 120, 200]);
    expect(c.best?.offered).toBe(120);
    const before = m.calls.length;
    const s = await settle({ ...c, best: c.best! }, 3, m.step, never);
    expect(m.calls.slice(before).map((x) => x.rate)).toEqual([120, 120]);
    expect(s.head.offered).toBe(100);
  });

  it('keeps the failing rate when there is nothing lower to fall back to', async () => {
    const m = machine(100, { 100: [2, 3] });
    const c = await m.climbOn([100, 200]);
    const s = await settle({ ...c, best: c.best! }, 3, m.step, never);
    expect(s.head.offered).toBe(100);
    expect(s.headRuns).toHaveLength(3);
    expect(s.fallback).toBe('');
  });

  it('runs no repeat once over budget', async () => {
    const m = machine(100);
    const c = await m.climbOn([100]);
    const s = await settle({ ...c, best: c.best! }, 3, m.step, () => true);
    expect(s.runs).toHaveLength(1);
    expect(m.calls).toHaveLength(1);
  });
});

describe('rates', () => {
  afterEach(() => {
    delete process.env.TEST_RATES;
  });

  it('reads a rising list of rates', () => {
    process.env.TEST_RATES = '50, 100,200.5';
    expect(ratesFromEnv('TEST_RATES', [1])).toEqual([50, 100, 200.5]);
  });

  it('gives the fallback when unset', () => {
    expect(ratesFromEnv('TEST_RATES', [10, 20])).toEqual([10, 20]);
  });

  it.each([
    ['127.0.0.1', /"NaN" is not a rate/],
    ['100,abc', /"NaN" is not a rate/],
    ['0,100', /"0" is not a rate/],
    ['200,100', /must rise/],
    ['100,100', /must rise/],
    ['100,1e9', /not a rate/],
    [',', /not a rate/],
  ])('refuses %j before any step', (text, why) => {
    process.env.TEST_RATES = text;
    expect(() => ratesFromEnv('TEST_RATES', [1])).toThrow(why);
  });

  it('climb refuses an empty list', async () => {
    await expect(
      climb({ rates: [], minRate: 1, step: machine(1).step, overBudget: never }),
    ).rejects.toThrow(/no rate/);
    expect(() => checkRates([Infinity], 'x')).toThrow(/not a rate/);
  });
});

describe('budget', () => {
  afterEach(() => {
    delete process.env.BENCH_DEADLINE_MS;
  });

  it('ends after the suite budget', () => {
    let now = 1_000;
    const over = budget(10, () => now);
    now = 10_999;
    expect(over()).toBe(false);
    now = 11_001;
    expect(over()).toBe(true);
  });

  it('ends at the run deadline when that comes first', () => {
    let now = 1_000;
    process.env.BENCH_DEADLINE_MS = '5000';
    const over = budget(100, () => now);
    now = 4_999;
    expect(over()).toBe(false);
    now = 5_001;
    expect(over()).toBe(true);
  });
});

describe('deadlines', () => {
  const suite = (id: string, reserveSec?: number): BenchSuite => ({
    id,
    reserveSec,
    run: async () => [],
  });

  it('keeps the reserves of the later suites free', () => {
    const d = deadlines(0, [suite('a'), suite('registration', 60), suite('calls', 90)], 540);
    expect(d).toEqual([(540 - 150) * 1000, (540 - 90) * 1000, 540 * 1000]);
  });
});
