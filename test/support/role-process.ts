/**
 * One role of the core (hss, icscf, pcscf) started with its create<Role>App in a child Node
 * process (role-child.ts, TypeScript through ts-register.js), reached only over its real
 * sockets. For the specs that want the role apart from the test runner's process; others
 * call create<Role>App in-process.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

export interface RoleSpec {
  role: 'hss' | 'icscf' | 'pcscf';
  /** Environment variables, parsed by the role's own configuration. */
  env?: Record<string, string>;
  /** Configuration overrides (JSON values). */
  overrides?: Record<string, unknown>;
  /** Runtime options of create<Role>App (JSON values). */
  runtime?: Record<string, unknown>;
  /** icscf: wait for the Cx connection before reporting ready (default true). */
  awaitHss?: boolean;
}

/** What role-child.ts reports once the role is up. */
export interface RoleChildReady {
  ready: true;
  /** hss: restPort, diameterPort; icscf, pcscf: sipPort. */
  ports: Record<string, number>;
  /** hss: its resolved configuration. */
  config?: unknown;
}

/** A role running in its own process, with the ports it bound. */
export interface RunningRole {
  ports: Record<string, number>;
  config?: unknown;
  /** Asks the role to close gracefully; SIGKILL after 10 s. Idempotent. */
  close(): Promise<void>;
}

export async function startRole(spec: RoleSpec): Promise<RunningRole> {
  const child = fork(join(__dirname, 'role-child.ts'), [JSON.stringify(spec)], {
    execArgv: ['-r', join(__dirname, 'ts-register.js')],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [msg] = (await once(child, 'message')) as [RoleChildReady | { error?: string }];
  if (!('ready' in msg)) {
    child.kill();
    throw new Error(`${spec.role} did not start: ${msg.error}`);
  }
  const exited = once(child, 'exit');
  return {
    ports: msg.ports,
    config: msg.config,
    async close() {
      if (child.exitCode !== null) return;
      child.send('close');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
      await exited;
      clearTimeout(timer);
    },
  };
}
