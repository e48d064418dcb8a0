import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { InitialFilterCriteria, TriggerPoint } from '../../database/entities';
import { PaginationQueryDto } from '../common';
import { TriggerPointDto } from './trigger-point.dto';

export class CreateIfcDto {
  @ApiProperty({ example: 'voicemail on INVITE' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  @ApiProperty({ description: 'lower first; unique within the service profile', example: 10 })
  @IsInt()
  @Min(0)
  priority: number;

  @ApiPropertyOptional({ type: TriggerPointDto, description: 'absent: the iFC always matches' })
  @IsOptional()
  @ValidateNested()
  @Type(() => TriggerPointDto)
  triggerPoint?: TriggerPointDto;

  @ApiProperty()
  @IsInt()
  @Min(1)
  applicationServerId: number;

  @ApiProperty()
  @IsInt()
  @Min(1)
  serviceProfileId: number;

  @ApiPropertyOptional({ enum: [0, 1], description: '0 REGISTERED, 1 UNREGISTERED; absent = both' })
  @IsOptional()
  @IsIn([0, 1], { message: 'profilePartIndicator must be 0 (REGISTERED) or 1 (UNREGISTERED)' })
  profilePartIndicator?: number;
}

export class UpdateIfcDto extends PartialType(CreateIfcDto) {}

export class IfcQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  serviceProfileId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  applicationServerId?: number;

  @ApiPropertyOptional({ description: 'name prefix' })
  @IsOptional()
  @IsString()
  name?: string;
}

export class IfcView {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty() priority: number;
  @ApiProperty({ type: TriggerPointDto, nullable: true }) triggerPoint: TriggerPoint | null;
  @ApiProperty() applicationServerId: number;
  @ApiProperty() serviceProfileId: number;
  @ApiProperty({ nullable: true, type: Number }) profilePartIndicator: number | null;
}

export function toIfcView(i: InitialFilterCriteria): IfcView {
  return {
    id: i.id,
    name: i.name,
    priority: i.priority,
    triggerPoint: i.triggerPoint,
    applicationServerId: i.applicationServerId,
    serviceProfileId: i.serviceProfileId,
    profilePartIndicator: i.profilePartIndicator,
  };
}

/** The stored trigger point: defaults made explicit (conditionNegated false). */
export function toTriggerPoint(dto: TriggerPointDto | undefined): TriggerPoint | null {
  if (!dto) return null;
  return {
    conditionTypeCnf: dto.conditionTypeCnf,
    spts: dto.spts.map((s) => {
      const spt: TriggerPoint['spts'][number] = {
        conditionNegated: s.conditionNegated ?? false,
        group: s.group,
      };
      if (s.method !== undefined) spt.method = s.method;
      if (s.requestUri !== undefined) spt.requestUri = s.requestUri;
      if (s.sipHeader !== undefined)
        spt.sipHeader = { header: s.sipHeader.header, content: s.sipHeader.content };
      if (s.sessionCase !== undefined) spt.sessionCase = s.sessionCase;
      if (s.sessionDescription !== undefined) {
        spt.sessionDescription = {
          line: s.sessionDescription.line,
          content: s.sessionDescription.content,
        };
      }
      if (s.registrationType !== undefined) spt.registrationType = s.registrationType;
      return spt;
    }),
  };
}
