/**
 * Registrations and calls under UDP packet loss (issue 9), inside a private network namespace
 * with nftables (see netns-run.ts and test/reliability/loss-engine.ts):
 *
 *   npm run build && node dist/scripts/netns-loss.js --percent 30 --ues 10 --calls 5 \
 *     [--core-transport udp|tcp]
 *
 * Prints `LOSS-REPORT <json>` last; exits non-zero when a registration, the single-binding
 * check, a call, a de-registration or the drain of the transaction tables and dialogs failed.
 */
import * as path from 'node:path';
import { runLoss } from '../test/reliability/loss-engine';
import { NETNS_ENV, netnsFlags, nftAvailable, runInNetns } from './netns-run';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (process.env[NETNS_ENV] !== '1') {
    const { flags, reason } = netnsFlags();
    if (!flags) {
      console.error(`netns-loss: ${reason}`);
      return 2;
    }
    const nft = nftAvailable(flags);
    if (!nft.ok) {
      console.error(`netns-loss: ${nft.reason}`);
      return 2;
    }
    const r = await runInNetns(process.execPath, [path.resolve(__filename), ...argv], {
      flags,
      echo: true,
    });
    return r.code ?? 1;
  }
  let percent = 10;
  let ues = 10;
  let calls = 0;
  let coreTransport: 'udp' | 'tcp' = 'tcp';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--percent') percent = Number(argv[++i]);
    else if (argv[i] === '--ues') ues = Number(argv[++i]);
    else if (argv[i] === '--calls') calls = Number(argv[++i]);
    else if (argv[i] === '--core-transport') {
      const t = argv[++i];
      if (t !== 'udp' && t !== 'tcp') throw new Error('--core-transport must be udp or tcp');
      coreTransport = t;
    } else throw new Error(`unknown option ${argv[i]}`);
  }
  const t0 = Date.now();
  const log = (l: string) => console.log(`[loss +${((Date.now() - t0) / 1000).toFixed(0)}s] ${l}`);
  const report = await runLoss({ percent, ues, calls, coreTransport, log });
  for (const p of [...report.failures, ...report.bindingProblems, ...report.calls.problems])
    log(`PROBLEM: ${p}`);
  for (const r of report.retried) log(`retried: ${r}`);
  for (const r of report.calls.retried) log(`call retried: ${r}`);
  for (const r of report.calls.byeTimedOut) log(`BYE timed out: ${r}`);
  for (const t of report.calls.traces) log(`call trace:\n  ${t.join('\n  ')}`);
  for (const [role, lines] of Object.entries(report.roleWarnings ?? {}))
    for (const l of lines) log(`${role}: ${l}`);
  log(report.ok ? 'OK' : 'FAILED');
  console.log(`LOSS-REPORT ${JSON.stringify(report)}`);
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(err);
    process.exit(1);
  },
);
