/**
 * `npm start`: the whole core on loopback. Each role runs as its own process from its built
 * entry point (`dist/apps/<role>/main.js`), exactly as a docker-compose service would, with
 * its configuration in the environment. The HSS keeps its sqlite file under ./data and is
 * seeded with the demo subscribers on first start. Ctrl-C stops everything gracefully.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const domain = process.env.IMS_DOMAIN ?? 'ims.mnc001.mcc001.3gppnetwork.org';

interface Role {
  name: string;
  env: Record<string, string>;
}

/** Start order: the HSS first (Diameter server), then the CSCFs that connect to it. */
const roles: Role[] = [
  {
    name: 'hss',
    env: {
      HSS_DB_PATH: process.env.HSS_DB_PATH ?? path.join(root, 'data', 'hss.sqlite'),
      HSS_SEED_DEMO: process.env.HSS_SEED_DEMO ?? 'true',
    },
  },
  { name: 'scscf', env: {} },
  { name: 'icscf', env: {} },
  { name: 'pcscf', env: {} },
];

const children: { role: string; proc: ChildProcess }[] = [];
let stopping = false;

function start(role: Role): void {
  const entry = path.join(root, 'dist', 'apps', role.name, 'main.js');
  if (!fs.existsSync(entry)) {
    console.log(`[lab] ${role.name}: not built yet (${path.relative(root, entry)} missing), skipped`);
    return;
  }
  const proc = spawn(process.execPath, [entry], {
    cwd: root,
    env: { ...process.env, IMS_DOMAIN: domain, ...role.env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  proc.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[lab] ${role.name} exited (${signal ?? code}); stopping the lab`);
      void stop(1);
    }
  });
  children.push({ role: role.name, proc });
}

async function stop(exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('[lab] stopping ...');
  // Reverse order: UEs' first hop goes away first, the HSS last.
  for (const { proc } of [...children].reverse()) {
    if (proc.exitCode === null) proc.kill('SIGTERM');
  }
  await Promise.all(
    children.map(
      ({ proc }) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null) return resolve();
          const t = setTimeout(() => {
            proc.kill('SIGKILL');
            resolve();
          }, 5000);
          proc.on('exit', () => {
            clearTimeout(t);
            resolve();
          });
        }),
    ),
  );
  process.exit(exitCode);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

fs.mkdirSync(path.join(root, 'data'), { recursive: true });
for (const role of roles) start(role);
if (children.length === 0) {
  console.error('[lab] nothing to start: run `npm run build` first');
  process.exit(1);
}
