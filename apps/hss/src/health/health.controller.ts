import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { CX_HEALTH, type CxHealthProbe, type CxHealthStatus } from './cx-health';
import { HealthDto } from './health.dto';

/**
 * Liveness and readiness of the HSS: the database answers and the Cx server listens. 200
 * with status ok, else 503 with status degraded (as the CSCFs' /health), so a healthcheck
 * needs only the status code.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(CX_HEALTH) private readonly cx?: CxHealthProbe,
  ) {}

  @Get()
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({
    type: HealthDto,
    description: 'database down or Cx not listening',
  })
  async health(@Res({ passthrough: true }) res?: Response): Promise<HealthDto> {
    let db: 'up' | 'down' = 'down';
    try {
      await this.dataSource.query('SELECT 1');
      db = 'up';
    } catch {
      db = 'down';
    }
    const diameter = this.diameterStatus();
    const status = db === 'up' && diameter.listening ? 'ok' : 'degraded';
    if (status !== 'ok') res?.status(503);
    return {
      status,
      db,
      diameter: { listening: diameter.listening, port: diameter.port, peers: diameter.peers },
    };
  }

  /** The Cx module's report, or "not listening" when no CX_HEALTH provider is there. */
  diameterStatus(): CxHealthStatus {
    return this.cx?.status() ?? { listening: false, port: null, peers: [] };
  }
}
