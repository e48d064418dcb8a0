/**
 * The rate ramp the registration and calls benchmarks share: how a "highest rate that passes"
 * figure is found, repeated and reported, independent of what one step does (the suites give
 * `step`, which starts SIPp against a lab at one offered rate and says whether it passed).
 *
 * 1. Up: each rate in turn; stop at the first that fails (or when the budget is spent).
 * 2. Down: when the first rate already fails, halve it (not below `minRate`) until one passes.
 * 3. Refine: the rate halfway between the best that passed and the lowest above it that
 *    failed, again with the new pair, for as long as the two are at least `REFINE_GAP` (1.3x)
 *    apart and the budget lasts: 400 passed and 800 failed gives 600, then 500 or 700, and
 *    stops there (a rate within a sixth of the true ceiling is worth less than a repeat).
 * 4. Repeat: the best rate again until `repeats` runs (the ramp's run included) or the budget.
 *    When most runs at the best rate fail, a rate that fails more often than it passes is no
 *    figure: when the next lower rate that passed is 1.3x or more below, the rate halfway
 *    between gets runs of its own (the refinements stopped at the best rate and never tried
 *    it), and is the figure if most of them pass; else the figure is that lower rate (one
 *    ramp run).
 *
 * The figure is the median achieved rate of the runs kept. No network here: plain logic, unit
 * tested in ramp.spec.ts.
 */

/** The ramp refines between a passing and a failing rate while the failing one is this much higher. */
export const REFINE_GAP = 1.3;

/** What the ramp needs to know of one step. */
export interface RampStep {
  offered: number;
  achieved: number;
  passed: boolean;
}

/** Which part of the ramp a step belongs to (suites print it, and may run it differently). */
export type RampPhase = 'ramp' | 'ramp down' | 'refine' | 'repeat';

export interface ClimbOptions<S extends RampStep> {
  /** Offered rates, lowest first. */
  rates: number[];
  /** The lowest rate the downward ramp tries. */
  minRate: number;
  step(rate: number, phase: RampPhase): Promise<S>;
  /** True once no new step should start (checked after each passing step of the ramp). */
  overBudget(): boolean;
  log?(phase: RampPhase, s: S): void;
}

export interface Climb<S extends RampStep> {
  /** Every step, in the order run. */
  steps: S[];
  /** The highest rate that passed, if any. */
  best?: S;
  /** The lowest rate above `best` that failed (the ramp's or a refinement's), if any. */
  failing?: S;
}

/** Steps 1-3 above. */
export async function climb<S extends RampStep>(o: ClimbOptions<S>): Promise<Climb<S>> {
  checkRates(o.rates, 'rates');
  const steps: S[] = [];
  let best: S | undefined;
  const run = async (rate: number, phase: RampPhase) => {
    const s = await o.step(rate, phase);
    steps.push(s);
    o.log?.(phase, s);
    return s;
  };
  for (const rate of o.rates) {
    const s = await run(rate, 'ramp');
    if (!s.passed) break;
    best = s;
    if (o.overBudget()) break;
  }
  for (let rate = Math.round(o.rates[0] / 2); !best && rate >= o.minRate;) {
    const s = await run(rate, 'ramp down');
    if (s.passed) best = s;
    rate = Math.round(rate / 2);
  }
  // The lowest rate above the best that failed (after a ramp down, the nearest one).
  let failing = steps
    .filter((s) => !s.passed && s.offered > (best?.offered ?? Infinity))
    .sort((a, b) => a.offered - b.offered)[0];
  while (best && failing && failing.offered >= best.offered * REFINE_GAP && !o.overBudget()) {
    const s = await run(Math.round((best.offered + failing.offered) / 2), 'refine');
    if (s.passed) best = s;
    else failing = s;
  }
  return { steps, best, failing };
}

export interface Settled<S extends RampStep> {
  /** All runs at the best rate (the ramp's own run first). */
  runs: S[];
  /** How many of them failed. */
  failedRuns: number;
  /** The step whose rate the figure is for: `best`, or the fallback. */
  head: S;
  /** The runs the figure is the median of. */
  headRuns: S[];
  /** Why the figure is not for `best` (empty when it is). */
  fallback: string;
}

/** Step 4 above: repeats of the best rate, and the runs the figure comes from. */
export async function settle<S extends RampStep>(
  c: Climb<S> & { best: S },
  repeats: number,
  step: (rate: number, phase: RampPhase) => Promise<S>,
  overBudget: () => boolean,
  log?: (phase: RampPhase, s: S) => void,
): Promise<Settled<S>> {
  const { best } = c;
  const runs = [best];
  while (runs.length < repeats && !overBudget()) {
    const s = await step(best.offered, 'repeat');
    log?.('repeat', s);
    runs.push(s);
  }
  const failedRuns = runs.filter((s) => !s.passed).length;
  if (failedRuns * 2 > runs.length) {
    const lower = c.steps
      .filter((s) => s.passed && s.offered < best.offered)
      .sort((a, b) => b.offered - a.offered)[0];
    if (lower && best.offered >= lower.offered * REFINE_GAP && !overBudget()) {
      const mid = Math.round((lower.offered + best.offered) / 2);
      const midRuns: S[] = [];
      while (midRuns.length < repeats && !overBudget()) {
        const phase: RampPhase = midRuns.length ? 'repeat' : 'refine';
        const s = await step(mid, phase);
        log?.(phase, s);
        midRuns.push(s);
        if (!midRuns[0].passed) break;
      }
      const midFailed = midRuns.filter((s) => !s.passed).length;
      if (midRuns[0]?.passed && midFailed * 2 <= midRuns.length)
        return {
          runs,
          failedRuns,
          head: midRuns[0],
          headRuns: midRuns,
          fallback:
            `${failedRuns} of ${runs.length} runs at ${best.offered}/s failed, so the figure ` +
            `is the rate halfway to the next lower pass (${mid}/s, ${midFailed} of ` +
            `${midRuns.length} runs failed)`,
        };
    }
    if (lower)
      return {
        runs,
        failedRuns,
        head: lower,
        headRuns: [lower],
        fallback:
          `${failedRuns} of ${runs.length} runs at ${best.offered}/s failed, so the figure ` +
          `is the next lower rate that passed (${lower.offered}/s, one ramp run)`,
      };
  }
  // A failed repeat counts too (a rate is only as good as its runs): the median is over all.
  return { runs, failedRuns, head: best, headRuns: runs, fallback: '' };
}

/** Throws unless `rates` is a non-empty list of finite positive rates, lowest first. */
export function checkRates(rates: number[], what: string): void {
  if (!rates.length) throw new Error(`${what}: no rate given`);
  for (const [i, r] of rates.entries()) {
    if (!Number.isFinite(r) || r <= 0 || r > 100_000)
      throw new Error(`${what}: "${r}" is not a rate (a number of 1-100000 per second)`);
    if (i > 0 && r <= rates[i - 1])
      throw new Error(`${what}: rates must rise (${rates.join(',')})`);
  }
}

/**
 * The offered rates of an environment variable (`100,200,400`), checked before any SIPp
 * starts: a host or a typo where a rate belongs is refused, not sent as load.
 */
export function ratesFromEnv(name: string, fallback: number[]): number[] {
  const text = process.env[name];
  if (!text) return fallback;
  const rates = text.split(',').map((t) => (/^\s*\d+(\.\d+)?\s*$/.test(t) ? Number(t) : NaN));
  checkRates(rates, name);
  return rates;
}

/**
 * When a suite must start no new step: its own budget (seconds since it started) or the whole
 * run's deadline (`BENCH_DEADLINE_MS`, set by bench/run.ts so that `npm run bench` ends
 * within its budget), whichever comes first.
 */
export function budget(seconds: number, now: () => number = Date.now): () => boolean {
  const started = now();
  const deadline = Number(process.env.BENCH_DEADLINE_MS) || Infinity;
  return () => now() > Math.min(started + seconds * 1000, deadline);
}
