import { Module, type DynamicModule } from '@nestjs/common';
import { HssMetrics } from './hss-metrics';
import { MetricsController } from './metrics.controller';

/** `GET /metrics` over the HssMetrics instance createHssApp built. */
@Module({})
export class HssMetricsModule {
  static forRoot(metrics: HssMetrics): DynamicModule {
    return {
      module: HssMetricsModule,
      controllers: [MetricsController],
      providers: [{ provide: HssMetrics, useValue: metrics }],
      exports: [HssMetrics],
    };
  }
}
