/**
 * CPU profiles of the lab's roles for the ramp benchmarks (REG_BENCH_CPU_PROF,
 * CALL_BENCH_CPU_PROF): the preload that profiles a role, and the summary printed after a
 * profiled run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Role, ROLES, ROOT } from '../test/support/lab';

/**
 * A `--require` preload that profiles the whole process with the inspector (Node 20 refuses
 * --cpu-prof in NODE_OPTIONS) once a file named `start` appears in
 * CPU_PROFILE_DIR (written just before SIPp starts, so start-up and provisioning stay out; a
 * signal cannot do it: NestJS shutdown hooks take SIGUSR2 too) and writes `<pid>.cpuprofile` into CPU_PROFILE_DIR when
 * the lab stops the role with SIGTERM.
 */
export const PROFILER_PRELOAD = `'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable');
const start = path.join(process.env.CPU_PROFILE_DIR, 'start');
const poll = setInterval(() => {
  if (!fs.existsSync(start)) return;
  clearInterval(poll);
  session.post('Profiler.start');
}, 50);
poll.unref();
process.prependListener('SIGTERM', () => {
  session.post('Profiler.stop', (err, res) => {
    if (!err) fs.writeFileSync(path.join(process.env.CPU_PROFILE_DIR, process.pid + '.cpuprofile'), JSON.stringify(res.profile));
    process.exit(0);
  });
});
`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * Self time per function of a .cpuprofile, highest first, as shares of the busy samples
 * (all but "(idle)"), and the busy share of all samples.
 */
export function hotSpots(
  file: string,
  top = 15,
): { busy: number; spots: { share: number; where: string }[] } {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    if (n.callFrame.functionName === '(idle)') {
      idle += hits;
      continue;
    }
    const { functionName, url, lineNumber } = n.callFrame;
    const rel = url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    const where =
      `${functionName || '(anonymous)'} ${rel ? `${rel}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(where, (byFunction.get(where) ?? 0) + hits);
  }
  const busy = Math.max(total - idle, 1);
  return {
    busy: busy / Math.max(total, 1),
    spots: [...byFunction.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, hits]) => ({ share: hits / busy, where })),
  };
}

/** The roles named in a `<SUITE>_CPU_PROF` variable, refused unless each is a role. */
export function profileRoles(name: string): Role[] {
  const roles = (process.env[name] ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  for (const r of roles)
    if (!(ROLES as readonly string[]).includes(r)) throw new Error(`${name}: no role "${r}"`);
  return roles as Role[];
}

/** Each role's busy share and top functions by self time, from `<dir>/<role>/*.cpuprofile`. */
export function printProfiles(dir: string, roles: Role[]): void {
  for (const role of roles) {
    const files = fs.readdirSync(path.join(dir, role)).filter((f) => f.endsWith('.cpuprofile'));
    if (!files.length) console.log(`  ${role}: no cpu profile written`);
    for (const f of files) {
      const file = path.join(dir, role, f);
      const { busy, spots } = hotSpots(file);
      console.log(`  ${role} cpu profile ${file}: busy ${(busy * 100).toFixed(0)} % of the run`);
      for (const h of spots)
        console.log(`    ${(h.share * 100).toFixed(1).padStart(5)} %  ${h.where}`);
    }
  }
}
