import { ApiProperty } from '@nestjs/swagger';

export class DiameterPeerHealthDto {
  @ApiProperty({ required: false, example: 'scscf.ims.mnc001.mcc001.3gppnetwork.org' })
  originHost?: string;

  @ApiProperty({ example: 'ROpen' })
  state: string;
}

export class DiameterHealthDto {
  @ApiProperty()
  listening: boolean;

  @ApiProperty({ nullable: true, type: Number })
  port: number | null;

  @ApiProperty({ type: [DiameterPeerHealthDto] })
  peers: DiameterPeerHealthDto[];
}

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'degraded'] })
  status: 'ok' | 'degraded';

  @ApiProperty({ enum: ['up', 'down'] })
  db: 'up' | 'down';

  @ApiProperty({ type: DiameterHealthDto })
  diameter: DiameterHealthDto;
}
