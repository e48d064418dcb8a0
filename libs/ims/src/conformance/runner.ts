/**
 * Runs the selected cases one after the other, each with its own UEs and subscribers, a time
 * bound, and a cleanup that de-registers whatever the case registered. A listener sees each
 * case start and end (the CLI's live lines).
 */
import { CaseContext, CheckFailure, ConformanceCase } from './case-context';
import {
  CaseResult,
  CaseStatus,
  SubscriberUnavailableError,
  SuiteConfig,
  SuiteName,
  SuiteRun,
} from './conformance-types';
import type { SubscriberSource } from './subscriber-source';

export interface RunListener {
  caseStarted?(c: ConformanceCase, index: number, total: number): void;
  caseFinished?(result: CaseResult, index: number, total: number): void;
}

export interface RunOptions {
  config: SuiteConfig;
  cases: ConformanceCase[];
  suites: SuiteName[];
  subscribers: SubscriberSource;
  listener?: RunListener;
}

class CaseTimeout extends Error {
  constructor(ms: number) {
    super(`no outcome within ${Math.round(ms / 1000)} s`);
    this.name = 'CaseTimeout';
  }
}

export async function runSuite(opts: RunOptions): Promise<SuiteRun> {
  const startedAt = new Date();
  const results: CaseResult[] = [];
  const total = opts.cases.length;
  try {
    for (const [i, c] of opts.cases.entries()) {
      opts.listener?.caseStarted?.(c, i, total);
      const result = await runCase(c, opts.config, opts.subscribers);
      results.push(result);
      opts.listener?.caseFinished?.(result, i, total);
    }
  } finally {
    await opts.subscribers.close();
  }
  return {
    config: opts.config,
    suites: opts.suites,
    startedAt,
    durationMs: Date.now() - startedAt.getTime(),
    results,
  };
}

export async function runCase(
  c: ConformanceCase,
  config: SuiteConfig,
  subscribers: SubscriberSource,
): Promise<CaseResult> {
  const ctx = new CaseContext(config, subscribers);
  const limit = config.caseTimeoutMs + (c.extraTimeoutMs?.(config) ?? 0);
  let status: CaseStatus = 'passed';
  let message: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.run(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CaseTimeout(limit)), limit);
      }),
    ]);
  } catch (err) {
    if (err instanceof CheckFailure) {
      status = 'failed';
      message = err.message;
    } else if (err instanceof SubscriberUnavailableError) {
      status = 'skipped';
      message = err.message;
    } else if (err instanceof CaseTimeout) {
      status = 'failed';
      message = err.message;
    } else {
      status = 'error';
      message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  } finally {
    clearTimeout(timer);
  }
  if (status === 'passed' && ctx.checks.length === 0) {
    status = 'error';
    message = 'the case checked nothing';
  }
  const ladder = ctx.ladder();
  await ctx.cleanup();
  try {
    await subscribers.endCase();
  } catch (err) {
    if (status === 'passed') {
      status = 'error';
      message = `cleanup: ${(err as Error).message}`;
    }
  }
  return {
    id: c.id,
    suite: c.suite,
    title: c.title,
    clauses: c.clauses,
    summary: c.summary,
    status,
    durationMs: Date.now() - ctx.startedAt,
    checks: ctx.checks,
    message,
    ladder,
  };
}
