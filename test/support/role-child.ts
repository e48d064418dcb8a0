/**
 * Child-process entry of role-process.ts: starts one role (hss, icscf, pcscf) with its
 * create<Role>App, environment and overrides from argv[2], reports the bound ports (and the
 * resolved configuration) over IPC, and closes the app gracefully (DPR, HTTP, database,
 * sockets) once, on the 'close' message or when the test runner disconnects.
 * Run with `node -r ./ts-register.js`.
 */
import 'reflect-metadata';
import type { RoleChildReady, RoleSpec } from './role-process';

type Running = { close(): Promise<void> };

async function start(
  spec: RoleSpec,
): Promise<{ app: Running } & Pick<RoleChildReady, 'ports' | 'config'>> {
  Object.assign(process.env, spec.env ?? {});
  // A P-CSCF's registrations stay in memory unless the spec names a file: no test finds the
  // bindings of an earlier run in ./data (PCSCF_DB_PATH, issue 9).
  process.env.PCSCF_DB_PATH ??= 'off';
  switch (spec.role) {
    case 'hss': {
      const { createHssApp } = await import('../../apps/hss/src/hss-app');
      const hss = await createHssApp(spec.overrides ?? {});
      return {
        app: hss,
        ports: { restPort: hss.restPort, diameterPort: hss.diameterPort },
        config: hss.config,
      };
    }
    case 'icscf': {
      const { createIcscfApp, IcscfService } = await import('../../apps/icscf/src');
      const icscf = await createIcscfApp(spec.overrides ?? {}, spec.runtime ?? {});
      // Tests start after the Cx connection is up, unless the HSS is meant to be down.
      if (spec.awaitHss !== false) await icscf.app.get(IcscfService).hss.waitUntilConnected(5000);
      return { app: icscf, ports: { sipPort: icscf.sipPort } };
    }
    case 'pcscf': {
      const { createPcscfApp } = await import('../../apps/pcscf/src');
      const pcscf = await createPcscfApp(spec.overrides ?? {}, spec.runtime ?? {});
      return { app: pcscf, ports: { sipPort: pcscf.sipPort } };
    }
  }
}

async function main(): Promise<void> {
  const { app, ports, config } = await start(JSON.parse(process.argv[2] ?? '{}') as RoleSpec);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    app
      .close()
      .catch((err: Error) => console.error(err))
      .finally(() => process.exit(0));
  };
  process.on('message', (msg) => {
    if (msg === 'close') stop();
  });
  // The test runner went away (crash, Ctrl-C): do not outlive it.
  process.on('disconnect', stop);
  const ready: RoleChildReady = { ready: true, ports, config };
  process.send!(ready);
}

main().catch((err: Error) => {
  process.send!({ error: err.stack ?? String(err) });
  process.exit(1);
});
