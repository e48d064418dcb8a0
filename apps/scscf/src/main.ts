import { Logger } from '@nestjs/common';
import { ConfigError } from '@lib/ims';
import { createScscfApp } from './scscf-app';

/** `node dist/apps/scscf/main.js`: an S-CSCF configured from the environment. */
async function main(): Promise<void> {
  try {
    const { config, sipPort, httpPort } = await createScscfApp();
    new Logger('S-CSCF').log({
      msg:
        `S-CSCF ${config.name} on ${config.sipHost}:${sipPort}, HSS ${config.hss.host}:${config.hss.port}, ` +
        `HTTP /health /metrics ${config.httpHost}:${httpPort}`,
      sipPort,
      httpPort,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`S-CSCF: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  }
}

void main();
