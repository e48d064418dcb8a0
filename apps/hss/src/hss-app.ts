import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { loadHssConfig, type HssConfig } from './config';
import { HealthController } from './health';
import { createHssLogger } from './logging';

/** A running HSS, as returned by createHssApp. */
export interface HssApp {
  app: INestApplication;
  /** The REST port actually bound (ephemeral when HSS_REST_PORT / restPort is 0). */
  restPort: number;
  /** The Diameter Cx port actually bound (ephemeral when diameterPort is 0). */
  diameterPort: number;
  /** The resolved configuration. */
  config: HssConfig;
  /** Graceful stop: Cx DPR to the peers, HTTP server closed, database closed. */
  close(): Promise<void>;
}

/** Largest REST body accepted: a bulk import of 100k subscribers is ~15 MB of CSV. */
const MAX_BODY = '100mb';

/**
 * Starts an HSS in-process: configuration from `overrides` > environment > defaults
 * (a bad value throws a ConfigError naming the variable), migrations run, REST and Cx
 * listening. Used by main.ts, the tests and the lab launcher.
 */
export async function createHssApp(overrides: Partial<HssConfig> = {}): Promise<HssApp> {
  const config = loadHssConfig(process.env, overrides);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: createHssLogger(config),
    bodyParser: false,
    abortOnError: false,
  });
  app.useBodyParser('json', { limit: MAX_BODY });
  app.useBodyParser('text', { type: ['text/csv', 'text/plain'], limit: MAX_BODY });
  app.enableShutdownHooks();
  setupOpenApi(app);

  await app.listen(config.restPort, config.restHost);
  const restPort = (app.getHttpServer().address() as AddressInfo).port;
  const diameterPort = app.get(HealthController).diameterStatus().port ?? config.diameterPort;
  return { app, restPort, diameterPort, config, close: () => app.close() };
}

/** OpenAPI document at /docs-json, Swagger UI at /docs. */
export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('IMS HSS provisioning API')
      .setDescription(
        'Subscriptions, private identities (IMPI + auth data), public identities (IMPU, implicit ' +
          'registration sets), service profiles, initial filter criteria, application servers and ' +
          'S-CSCF capabilities (TS 23.228 §4.3.3, TS 29.228 Annex B). Secrets (K, OP, OPc, ' +
          'passwords) are write-only.',
      )
      .setVersion('1.0')
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        description: 'HSS_API_TOKEN, for writes only',
      })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
