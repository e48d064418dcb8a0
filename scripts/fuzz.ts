/**
 * `npm run fuzz`: the long fuzzing run of issue 9 ("Garbage"). Starts the whole core inside a
 * private network namespace and sends at least 10^6 SIP messages to each CSCF over UDP and
 * TCP and 10^5 Diameter messages to the HSS, printing counts per second and RSS before and
 * after; exits non-zero when a role died, logged an unhandled rejection, answered malformed
 * input wrongly, or no longer registers a UE. See docs/reliability.md.
 *
 *   npm run fuzz                                  # 10^6 SIP per CSCF, 10^5 Diameter
 *   npm run fuzz -- --sip 20000 --diameter 5000   # shorter
 *   options: --sip N --diameter N --checked N --seed N --drain-ms N --json
 *
 * Prints `FUZZ-REPORT <json>` as its last line (test/reliability/fuzz.e2e-spec.ts reads it).
 */
import * as path from 'node:path';
import { runFuzz, type FuzzOptions } from '../test/reliability/fuzz-engine';
import { NETNS_ENV, netnsFlags, runInNetns } from './netns-run';

function parseArgs(argv: string[]): FuzzOptions & { json: boolean } {
  const o = {
    sipPerCscf: 1_000_000,
    diameter: 100_000,
    checked: 300,
    seed: Date.now() % 2 ** 31,
    drainMs: 40_000,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const v = () => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${argv[i - 1]} needs a number`);
      return n;
    };
    switch (argv[i]) {
      case '--sip':
        o.sipPerCscf = v();
        break;
      case '--diameter':
        o.diameter = v();
        break;
      case '--checked':
        o.checked = v();
        break;
      case '--seed':
        o.seed = v();
        break;
      case '--drain-ms':
        o.drainMs = v();
        break;
      case '--json':
        o.json = true;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return o;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (process.env[NETNS_ENV] !== '1') {
    // Re-run this script inside a private network namespace (see netns-run.ts).
    const { flags, reason } = netnsFlags();
    if (!flags) {
      console.error(`fuzz: ${reason}; refusing to fuzz on the shared network`);
      return 2;
    }
    const r = await runInNetns(process.execPath, [path.resolve(__filename), ...argv], {
      flags,
      echo: true,
    });
    return r.code ?? 1;
  }
  const options = parseArgs(argv);
  const t0 = Date.now();
  const log = (l: string) => console.log(`[fuzz +${((Date.now() - t0) / 1000).toFixed(0)}s] ${l}`);
  log(
    `seed ${options.seed}: ${options.sipPerCscf} SIP per CSCF, ${options.diameter} Diameter, ${options.checked} checked per CSCF`,
  );
  const report = await runFuzz({ ...options, log });
  for (const [role, f] of Object.entries(report.roles))
    log(
      `${role}: RSS ${f.rssBeforeMb} MB before, ${f.rssPeakMb} MB peak, ${f.rssAfterMb} MB after drain; alive ${f.alive}`,
    );
  for (const [role, s] of Object.entries(report.sip))
    log(
      `${role}: ${s.sent} SIP (${s.udp} UDP, ${s.tcp} TCP) at ${s.perSecond}/s; checked: ${s.checked.answered}/${s.checked.expectedAnswers} malformed answered as expected, ${s.checked.dropsAnswered}/${s.checked.dropsExpected} unanswerable ones answered`,
    );
  log(
    `diameter: ${report.diameter.sent} at ${report.diameter.perSecond}/s, answers ${JSON.stringify(report.diameter.resultCodes)}`,
  );
  log(`registrations after fuzzing: ${report.registeredAfter}/2`);
  for (const p of report.problems) log(`PROBLEM: ${p}`);
  log(report.ok ? 'OK' : 'FAILED');
  console.log(`FUZZ-REPORT ${JSON.stringify(report)}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
