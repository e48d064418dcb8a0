/**
 * Issue 9 "Garbage", short version (the long run is `npm run fuzz`): the whole core in a
 * private network namespace takes fast-check generated SIP messages and byte mutations of
 * the RFC 4475 vectors and of captured registration messages over real UDP and TCP sockets
 * (each CSCF), and Diameter mutations and garbage over TCP (the HSS). No role dies or logs
 * an unhandled rejection, RSS stays bounded, malformed requests are answered with the parse
 * error's status (RFC 3261 §8.2, §16.3 step 1) or dropped when no response can be built,
 * and fresh UEs still register through every element afterwards.
 */
import * as path from 'node:path';
import { ensureBuilt, ROOT } from '../support/lab';
import { netnsFlags, reportLine, runInNetns } from '../../scripts/netns-run';
import type { FuzzReport } from './fuzz-engine';

jest.setTimeout(240_000);

const netns = netnsFlags();
const describeNetns = netns.flags ? describe : describe.skip;
if (!netns.flags) console.warn(`fuzz e2e skipped: ${netns.reason}`);

describeNetns('fuzzing every element with garbage (short run)', () => {
  let report: FuzzReport;
  let output = '';

  beforeAll(async () => {
    ensureBuilt();
    const script = path.join(ROOT, 'dist', 'scripts', 'fuzz.js');
    const r = await runInNetns(
      process.execPath,
      [
        script,
        '--sip',
        '6000',
        '--diameter',
        '4000',
        '--checked',
        '40',
        '--drain-ms',
        '3000',
        '--seed',
        '4475',
      ],
      { flags: netns.flags, timeoutMs: 200_000 },
    );
    output = r.stdout + r.stderr;
    const parsed = reportLine<FuzzReport>(r.stdout, 'FUZZ-REPORT');
    if (!parsed)
      throw new Error(`the fuzzer printed no report (exit ${r.code}):\n${output.slice(-4000)}`);
    report = parsed;
  });

  it('sent the garbage to every CSCF over UDP and TCP, and to the HSS', () => {
    for (const role of ['pcscf', 'icscf', 'scscf'] as const) {
      const s = report.sip[role]!;
      expect(s.sent).toBe(6000);
      expect(s.udp).toBeGreaterThan(2500);
      expect(s.tcp).toBe(3000);
      // Malformed requests were answered (400 and friends) on the way.
      expect(s.responses['400'] ?? 0).toBeGreaterThan(0);
    }
    expect(report.diameter.sent).toBe(4000);
    // Diameter errors answered with their RFC 6733 result codes (5xxx/3xxx), not only dropped.
    const errors = Object.entries(report.diameter.resultCodes)
      .filter(([rc]) => /^[35]\d{3}$/.test(rc))
      .reduce((n, [, c]) => n + c, 0);
    expect(errors).toBeGreaterThan(50);
  });

  it('no role died or logged an unhandled rejection', () => {
    for (const role of ['hss', 'pcscf', 'icscf', 'scscf'] as const) {
      expect(report.roles[role]).toMatchObject({ alive: true, unhandled: [] });
    }
  });

  it('answers malformed requests with the parse error status, drops what cannot be answered', () => {
    for (const role of ['pcscf', 'icscf', 'scscf'] as const) {
      const c = report.sip[role]!.checked;
      expect(c.wrong).toEqual([]);
      expect(c.expectedAnswers).toBe(40);
      expect(c.answered).toBe(40);
      expect(c.dropsExpected).toBeGreaterThan(0);
      expect(c.dropsAnswered).toBe(0);
    }
  });

  it('keeps RSS bounded', () => {
    for (const role of ['hss', 'pcscf', 'icscf', 'scscf'] as const) {
      const f = report.roles[role]!;
      expect(f.rssBeforeMb).toBeGreaterThan(0);
      // Generous: a short run leaves live transactions (Timer J is 32 s) and V8 keeps its heap.
      expect(f.rssAfterMb).toBeLessThan(f.rssBeforeMb + 150);
    }
  });

  it('still registers fresh UEs over UDP and TCP through every element', () => {
    expect(report.registeredAfter).toBe(2);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
