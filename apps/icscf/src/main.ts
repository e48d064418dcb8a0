import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createIcscfApp } from './icscf-app';

/** The I-CSCF role on its own (`node dist/apps/icscf/main.js`), configured from the environment. */
async function main(): Promise<void> {
  const icscf = await createIcscfApp();
  icscf.app.enableShutdownHooks();
  const c = icscf.config;
  new Logger('I-CSCF').log({
    msg:
      `I-CSCF up: SIP UDP+TCP ${c.sipHost}:${icscf.sipPort} as ${c.name}, HSS ${c.hss.host}:${c.hss.port}, ` +
      `S-CSCFs ${c.scscfs.map((s) => s.uri).join(' ')}, HTTP /health /metrics ${c.httpHost}:${icscf.httpPort}`,
    sipPort: icscf.sipPort,
    httpPort: icscf.httpPort,
  });
}

main().catch((err: Error) => {
  // ConfigError names the bad variable; anything else is a boot failure worth a stack.
  console.error(err.name === 'ConfigError' ? err.message : err);
  process.exit(1);
});
