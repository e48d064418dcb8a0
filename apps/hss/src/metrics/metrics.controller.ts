import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { PROMETHEUS_CONTENT_TYPE } from '@lib/ims';
import { HssMetrics } from './hss-metrics';

/** `GET /metrics`: the Prometheus text exposition (format 0.0.4) of the HSS. */
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(HssMetrics) private readonly metrics: HssMetrics) {}

  @Get()
  @Header('content-type', PROMETHEUS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format 0.0.4', type: String })
  metricsText(): string {
    return this.metrics.registry.expose();
  }
}
