import { Controller, Get, Inject, Optional } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { CX_HEALTH, type CxHealthProbe, type CxHealthStatus } from './cx-health';
import { HealthDto } from './health.dto';

/** Liveness and readiness of the HSS: the database answers and the Cx server listens. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(CX_HEALTH) private readonly cx?: CxHealthProbe,
  ) {}

  @Get()
  @ApiOkResponse({ type: HealthDto })
  async health(): Promise<HealthDto> {
    let db: 'up' | 'down' = 'down';
    try {
      await this.dataSource.query('SELECT 1');
      db = 'up';
    } catch {
      db = 'down';
    }
    const diameter = this.diameterStatus();
    return {
      status: db === 'up' && diameter.listening ? 'ok' : 'degraded',
      db,
      diameter: { listening: diameter.listening, port: diameter.port, peers: diameter.peers },
    };
  }

  /** The Cx module's report, or "not listening" when no CX_HEALTH provider is there. */
  diameterStatus(): CxHealthStatus {
    return this.cx?.status() ?? { listening: false, port: null, peers: [] };
  }
}
