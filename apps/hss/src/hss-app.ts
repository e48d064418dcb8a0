import { Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DiameterNode } from '@lib/diameter';
import { installDiameterTrace } from '@lib/ims';
import type { NextFunction, Request, Response } from 'express';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { loadHssConfig, type HssConfig } from './config';
import { DIAMETER_NODE } from './cx';
import { HealthController } from './health';
import { createHssLogger } from './logging';
import { HssMetrics, HssMetricsModule } from './metrics';

/** A running HSS, as returned by createHssApp. */
export interface HssApp {
  app: INestApplication;
  /** The REST port actually bound (ephemeral when HSS_REST_PORT / restPort is 0). */
  restPort: number;
  /** The Diameter Cx port actually bound (ephemeral when diameterPort is 0). */
  diameterPort: number;
  /** The resolved configuration. */
  config: HssConfig;
  /** Cx and REST metrics, served at GET /metrics. */
  metrics: HssMetrics;
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
  const logger = createHssLogger(config);
  const metrics = new HssMetrics();
  const app = await NestFactory.create<NestExpressApplication>(HssRoot.forRoot(config, metrics), {
    logger,
    bodyParser: false,
    abortOnError: false,
  });
  // Before app.listen() initialises the Cx module: every Diameter message is seen.
  const node = app.get<DiameterNode>(DIAMETER_NODE);
  metrics.observeDiameter(node);
  if (config.diameterTrace) {
    installDiameterTrace(node, { log: (e) => logger.log(e, 'DiameterTrace') });
  }
  app.use(restMetrics(metrics));
  app.useBodyParser('json', { limit: MAX_BODY });
  app.useBodyParser('text', { type: ['text/csv', 'text/plain'], limit: MAX_BODY });
  app.enableShutdownHooks();
  setupOpenApi(app);

  await app.listen(config.restPort, config.restHost);
  const restPort = (app.getHttpServer().address() as AddressInfo).port;
  const diameterPort = app.get(HealthController).diameterStatus().port ?? config.diameterPort;
  return { app, restPort, diameterPort, config, metrics, close: () => app.close() };
}

/** The HSS's AppModule plus `GET /metrics`, without touching AppModule. */
@Module({})
class HssRoot {
  static forRoot(config: HssConfig, metrics: HssMetrics): DynamicModule {
    return {
      module: HssRoot,
      imports: [AppModule.forRoot(config), HssMetricsModule.forRoot(metrics)],
    };
  }
}

/**
 * Express middleware timing every REST exchange; the label is the route template Express
 * matched (`req.route.path` under the controller's prefix), `unmatched` for a 404 path.
 */
function restMetrics(metrics: HssMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      const route =
        typeof routePath === 'string' ? `${req.baseUrl ?? ''}${routePath}` || '/' : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.observeHttp(req.method, route, res.statusCode, seconds);
    });
    next();
  };
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
