import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createPcscfApp } from './pcscf-app';

/** The P-CSCF role on its own (`node dist/apps/pcscf/main.js`), configured from the environment. */
async function main(): Promise<void> {
  const pcscf = await createPcscfApp();
  pcscf.app.enableShutdownHooks();
  const c = pcscf.config;
  const icscfs = [...c.icscfs].map(([d, a]) => `${d} -> ${a.host}:${a.port}`).join(', ');
  new Logger('P-CSCF').log({
    msg:
      `P-CSCF up: SIP UDP+TCP ${c.sipHost}:${pcscf.sipPort} as ${c.name}, I-CSCF ${icscfs}, ` +
      `HTTP /health /metrics ${c.httpHost}:${pcscf.httpPort}`,
    sipPort: pcscf.sipPort,
    httpPort: pcscf.httpPort,
  });
}

main().catch((err: Error) => {
  // ConfigError names the bad variable; anything else is a boot failure worth a stack.
  console.error(err.name === 'ConfigError' ? err.message : err);
  process.exit(1);
});
