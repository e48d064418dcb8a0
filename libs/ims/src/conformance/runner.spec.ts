import type { ConformanceCase } from './case-context';
import { runPassed, SubscriberUnavailableError, SuiteConfig } from './conformance-types';
import { runSuite } from './runner';
import type { SubscriberSource } from './subscriber-source';

const config: SuiteConfig = {
  pcscf: { host: '127.0.0.1', port: 5060 },
  transport: 'UDP',
  domain: 'ims.example.org',
  localHost: '127.0.0.1',
  t1Ms: 100,
  caseTimeoutMs: 200,
  maxExpiryWaitS: 1,
};

function source(): SubscriberSource & { ended: number; closed: number } {
  return {
    description: 'none',
    ended: 0,
    closed: 0,
    acquire: () => Promise.reject(new SubscriberUnavailableError('no subscribers here')),
    endCase() {
      this.ended++;
      return Promise.resolve();
    },
    close() {
      this.closed++;
      return Promise.resolve();
    },
  };
}

const kase = (id: string, run: ConformanceCase['run']): ConformanceCase => ({
  id,
  suite: 'registration',
  title: id,
  clauses: ['RFC 3261 §10'],
  summary: id,
  run,
});

describe('runSuite', () => {
  it('gives each case its outcome: passed, failed check, error, skipped, timeout, checked nothing', async () => {
    const src = source();
    const seen: string[] = [];
    const run = await runSuite({
      config,
      suites: ['registration'],
      subscribers: src,
      listener: {
        caseStarted: (c, i, n) => seen.push(`start ${c.id} ${i + 1}/${n}`),
        caseFinished: (r) => seen.push(`end ${r.id} ${r.status}`),
      },
      cases: [
        kase('ok', async (ctx) => ctx.check('holds', true)),
        kase('bad', async (ctx) => {
          ctx.check('first holds', true);
          ctx.check('second does not', false, 'saw 500');
          ctx.check('never reached', true);
        }),
        kase('boom', async () => {
          throw new TypeError('broken');
        }),
        kase('skip', async (ctx) => {
          await ctx.subscriber('md5');
        }),
        kase('slow', () => new Promise<void>(() => undefined)),
        kase('empty', async () => undefined),
      ],
    });
    expect(run.results.map((r) => [r.id, r.status, r.message])).toEqual([
      ['ok', 'passed', undefined],
      ['bad', 'failed', 'second does not (saw 500)'],
      ['boom', 'error', 'TypeError: broken'],
      ['skip', 'skipped', 'no subscribers here'],
      ['slow', 'failed', 'no outcome within 0 s'],
      ['empty', 'error', 'the case checked nothing'],
    ]);
    expect(run.results[1].checks).toEqual([
      { label: 'first holds', ok: true, detail: undefined },
      { label: 'second does not', ok: false, detail: 'saw 500' },
    ]);
    expect(seen.slice(0, 2)).toEqual(['start ok 1/6', 'end ok passed']);
    expect(src.ended).toBe(6);
    expect(src.closed).toBe(1);
    expect(runPassed(run)).toBe(false);
  });

  it('passes only when every case passed', async () => {
    const run = await runSuite({
      config,
      suites: ['registration'],
      subscribers: source(),
      cases: [kase('a', async (ctx) => ctx.check('x', true))],
    });
    expect(runPassed(run)).toBe(true);
    expect(runPassed({ ...run, results: [] })).toBe(false);
  });
});
