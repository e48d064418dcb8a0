/**
 * Child-process entry of the CSCF e2e specs: starts one role (hss, icscf, pcscf) with its
 * create<Role>App, environment and overrides from argv[2], reports the bound ports over IPC
 * and closes the app gracefully on the 'close' message (or when the parent goes away).
 * Run with `node -r ./ts-register.js`.
 */
import 'reflect-metadata';

interface ChildSpec {
  role: 'hss' | 'icscf' | 'pcscf';
  env?: Record<string, string>;
  overrides?: Record<string, unknown>;
  runtime?: Record<string, unknown>;
  /** icscf: wait for the Cx connection before reporting ready (default true). */
  awaitHss?: boolean;
}

type Running = { close(): Promise<void> };

async function start(spec: ChildSpec): Promise<{ app: Running; ports: Record<string, number> }> {
  Object.assign(process.env, spec.env ?? {});
  switch (spec.role) {
    case 'hss': {
      const { createHssApp } = await import('../../apps/hss/src/hss-app');
      const hss = await createHssApp(spec.overrides ?? {});
      return { app: hss, ports: { restPort: hss.restPort, diameterPort: hss.diameterPort } };
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
  const { app, ports } = await start(JSON.parse(process.argv[2] ?? '{}') as ChildSpec);
  const stop = () => {
    app
      .close()
      .catch((err: Error) => console.error(err))
      .finally(() => process.exit(0));
  };
  process.on('message', (msg) => msg === 'close' && stop());
  process.on('disconnect', stop);
  process.send!({ ready: true, ...ports });
}

main().catch((err: Error) => {
  process.send!({ error: err.stack ?? String(err) });
  process.exit(1);
});
