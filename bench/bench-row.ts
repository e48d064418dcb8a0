import * as os from 'node:os';

/** One row of the project's benchmark table (docs/performance.md). */
export interface BenchRow {
  /** What was measured, e.g. "SIP parse+serialize REGISTER". */
  name: string;
  /** The figure (median of several runs). */
  value: number;
  /** Unit of `value`, e.g. "µs/msg", "msg/s", "s", "KB/subscriber". */
  unit: string;
  /** The individual runs behind the median. */
  runs: number[];
  /** The command that reproduces the row. */
  command: string;
  /** Anything that bounds or qualifies the figure. */
  note?: string;
}

export interface BenchSuite {
  /** Short id used on the command line: `npm run bench -- <id>`. */
  id: string;
  /**
   * Seconds this suite needs at the least, kept free for it when the suites before it stop
   * early to keep the whole run in its budget (bench/run.ts, BENCH_BUDGET_SEC).
   */
  reserveSec?: number;
  run(): Promise<BenchRow[]>;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The machine a figure was measured on: figures mean nothing without it. */
export function machine(): { cores: number; cpu: string; node: string; platform: string } {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

/**
 * Runs `fn` `iterations` times per run, `runs` times, after a warm-up, and returns the
 * microseconds per iteration of each run.
 */
export function timeMicros(fn: () => void, iterations: number, runs = 7): number[] {
  for (let i = 0; i < Math.min(iterations, 10000); i++) fn();
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    const ns = Number(process.hrtime.bigint() - start);
    out.push(ns / 1000 / iterations);
  }
  return out;
}
