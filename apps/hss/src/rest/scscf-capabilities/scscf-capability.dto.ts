import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsArray, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { ScscfCapability } from '../../database/entities';
import { PaginationQueryDto, SIP_URI_PATTERN } from '../common';

export class CreateScscfCapabilityDto {
  @ApiProperty({
    description: 'SIP URI of the S-CSCF',
    example: 'sip:scscf.ims.mnc001.mcc001.3gppnetwork.org:6060',
  })
  @IsString()
  @Matches(SIP_URI_PATTERN, { message: 'serverName must be a sip: or sips: URI' })
  @MaxLength(255)
  serverName: string;

  @ApiPropertyOptional({ type: [Number], description: 'Mandatory-Capability values', default: [] })
  @IsOptional()
  @IsArray()
  @IsInt({ each: true })
  @Min(0, { each: true })
  mandatory?: number[];

  @ApiPropertyOptional({ type: [Number], description: 'Optional-Capability values', default: [] })
  @IsOptional()
  @IsArray()
  @IsInt({ each: true })
  @Min(0, { each: true })
  optional?: number[];
}

export class UpdateScscfCapabilityDto extends PartialType(CreateScscfCapabilityDto) {}

export class ScscfCapabilityQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'server name prefix' })
  @IsOptional()
  @IsString()
  serverName?: string;
}

export class ScscfCapabilityView {
  @ApiProperty() id: number;
  @ApiProperty() serverName: string;
  @ApiProperty({ type: [Number] }) mandatory: number[];
  @ApiProperty({ type: [Number] }) optional: number[];
}

export function toScscfCapabilityView(c: ScscfCapability): ScscfCapabilityView {
  return {
    id: c.id,
    serverName: c.serverName,
    mandatory: c.mandatory ?? [],
    optional: c.optional ?? [],
  };
}
