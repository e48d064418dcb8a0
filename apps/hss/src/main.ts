import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createHssApp } from './hss-app';

/** The HSS role on its own (`node dist/apps/hss/main.js`), configured from the environment. */
async function main(): Promise<void> {
  const hss = await createHssApp();
  const { restHost, diameterHost, diameterOriginHost } = hss.config;
  new Logger('HSS').log(
    `HSS up: REST http://${restHost}:${hss.restPort} (OpenAPI /docs), ` +
      `Diameter Cx ${diameterHost}:${hss.diameterPort} as ${diameterOriginHost}`,
  );
}

main().catch((err: Error) => {
  // ConfigError names the bad variable; anything else is a boot failure worth a stack.
  console.error(err.name === 'ConfigError' ? err.message : err);
  process.exit(1);
});
