/**
 * The terminal output: a live line per case (`[ 3/11] reg.sqn-resync … running`, replaced by
 * its outcome on a terminal; outcomes only when piped), the failed check under a case that did
 * not pass, and a summary table at the end.
 */
import type { ConformanceCase } from '../case-context';
import { CaseResult, SuiteRun } from '../conformance-types';
import type { RunListener } from '../runner';

export interface ConsoleSink {
  write(text: string): void;
  /** Whether the output is a terminal (live line rewritten in place, colours). */
  isTTY?: boolean;
}

const MARK: Record<CaseResult['status'], string> = {
  passed: 'PASS',
  failed: 'FAIL',
  error: 'ERROR',
  skipped: 'SKIP',
};

const COLOUR: Record<CaseResult['status'], string> = {
  passed: '\x1b[32m',
  failed: '\x1b[31m',
  error: '\x1b[35m',
  skipped: '\x1b[33m',
};

export class ConsoleReporter implements RunListener {
  private ticker?: NodeJS.Timeout;

  constructor(private readonly out: ConsoleSink) {}

  caseStarted(c: ConformanceCase, index: number, total: number): void {
    if (!this.out.isTTY) return;
    const started = Date.now();
    const draw = () =>
      this.out.write(
        `\r\x1b[2K${this.prefix(index, total)} ${'…'.padEnd(5)} ${c.id.padEnd(25)} ${c.title} (running ${Math.round((Date.now() - started) / 1000)} s)`,
      );
    draw();
    this.ticker = setInterval(draw, 1000);
    this.ticker.unref();
  }

  caseFinished(r: CaseResult, index: number, total: number): void {
    clearInterval(this.ticker);
    const status = this.paint(r.status, MARK[r.status].padEnd(5));
    const time = `${(r.durationMs / 1000).toFixed(2)} s`;
    const line = `${this.prefix(index, total)} ${status} ${r.id.padEnd(25)} ${r.title} (${time})`;
    this.out.write(`${this.out.isTTY ? '\r\x1b[2K' : ''}${line}\n`);
    if (r.status !== 'passed' && r.message) this.out.write(`         ${r.message}\n`);
  }

  summary(run: SuiteRun): void {
    const rows = run.results.map((r) => [
      MARK[r.status],
      r.id,
      `${(r.durationMs / 1000).toFixed(2)} s`,
      `${r.checks.filter((c) => c.ok).length}/${r.checks.length}`,
      r.clauses.join(', '),
    ]);
    const head = ['Result', 'Case', 'Time', 'Checks', 'Clauses'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
    const lines = ['', fmt(head), widths.map((w) => '-'.repeat(w)).join('  ')];
    run.results.forEach((r, i) => {
      const cells = rows[i];
      const line = fmt(cells);
      lines.push(this.paint(r.status, line.slice(0, widths[0])) + line.slice(widths[0]));
    });
    const n = (s: CaseResult['status']) => run.results.filter((r) => r.status === s).length;
    lines.push(
      '',
      `${run.results.length} cases: ${n('passed')} passed, ${n('failed')} failed, ${n('error')} errors, ${n('skipped')} skipped in ${(run.durationMs / 1000).toFixed(1)} s`,
      '',
    );
    this.out.write(lines.join('\n'));
  }

  private prefix(index: number, total: number): string {
    const w = String(total).length;
    return `[${String(index + 1).padStart(w)}/${total}]`;
  }

  private paint(status: CaseResult['status'], text: string): string {
    return this.out.isTTY ? `${COLOUR[status]}${text}\x1b[0m` : text;
  }
}
