/**
 * `npm run bench [-- <suite id> ...]`: runs the benchmark suites, prints the table and writes
 * bench/results/<timestamp>.json. Each suite lives in bench/<id>.bench.ts and exports `suite`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BenchRow, BenchSuite, machine } from './bench-row';

/**
 * Suites that time one thread run first, on a machine the lab suites have not yet loaded:
 * right after the registration suite the codec figures were 20-50 % higher (its processes'
 * exits and the page cache settle for a while). Suites not listed run after, by name.
 */
const ORDER = [
  'sip-codec',
  'diameter-codec',
  'proxy',
  'platform',
  'hss',
  'memory',
  'registration',
  'calls',
];

function rank(id: string): number {
  const i = ORDER.indexOf(id);
  return i < 0 ? ORDER.length : i;
}

function loadSuites(): BenchSuite[] {
  const dir = __dirname;
  return (
    fs
      .readdirSync(dir)
      .filter((f) => /\.bench\.js$/.test(f))
      .sort()
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- suites are found at run time
      .map((f) => (require(path.join(dir, f)) as { suite: BenchSuite }).suite)
      .filter(Boolean)
      .sort((a, b) => rank(a.id) - rank(b.id))
  );
}

function format(rows: BenchRow[]): string {
  const head = ['benchmark', 'median', 'unit', 'runs', 'command'];
  const body = rows.map((r) => [
    r.name,
    r.value >= 100 ? r.value.toFixed(0) : r.value.toPrecision(3),
    r.unit,
    String(r.runs.length),
    r.command,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/**
 * Seconds the whole run may take (the issue: `npm run bench` under 10 minutes, build
 * included). The ramp suites start no new step past their deadline: this budget less the
 * reserves of the suites still to come (see `budget` in bench/ramp.ts).
 */
const BUDGET_SEC = Number(process.env.BENCH_BUDGET_SEC ?? 540);

/** When suite `i` must start no new step, in ms since the epoch. */
export function deadlines(started: number, suites: BenchSuite[], budgetSec: number): number[] {
  return suites.map(
    (_, i) =>
      started +
      1000 * (budgetSec - suites.slice(i + 1).reduce((a, s) => a + (s.reserveSec ?? 0), 0)),
  );
}

async function main(): Promise<void> {
  if (!(BUDGET_SEC > 0))
    throw new Error(`BENCH_BUDGET_SEC: "${BUDGET_SEC}" is not a number of seconds`);
  const wanted = process.argv.slice(2);
  const suites = loadSuites().filter((s) => wanted.length === 0 || wanted.includes(s.id));
  const unknown = wanted.filter((w) => !suites.some((s) => s.id === w));
  if (unknown.length) throw new Error(`no benchmark suite ${unknown.join(', ')}`);
  const m = machine();
  console.log(`machine: ${m.cores} cores, ${m.cpu}, node ${m.node}, ${m.platform}`);
  const rows: BenchRow[] = [];
  const until = deadlines(Date.now(), suites, BUDGET_SEC);
  for (const [i, s] of suites.entries()) {
    process.env.BENCH_DEADLINE_MS = String(until[i]);
    console.log(`running ${s.id} ...`);
    const started = Date.now();
    const got = await s.run();
    console.log(`  (${s.id}: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
    rows.push(...got);
    for (const r of got) if (r.note) console.log(`  ${r.name}: ${r.note}`);
  }
  console.log('\n' + format(rows));
  const outDir = path.resolve(__dirname, '..', '..', 'bench', 'results');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({ machine: m, date: new Date().toISOString(), rows }, null, 2),
  );
  console.log(`\nwritten: ${path.relative(process.cwd(), file)}`);
}

if (require.main === module)
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
