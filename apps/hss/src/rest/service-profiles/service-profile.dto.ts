import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { InitialFilterCriteria, ServiceProfile } from '../../database/entities';
import { PaginationQueryDto } from '../common';

export class CreateServiceProfileDto {
  @ApiProperty({ example: 'default' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;
}

export class UpdateServiceProfileDto extends PartialType(CreateServiceProfileDto) {}

export class ServiceProfileQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'name prefix' })
  @IsOptional()
  @IsString()
  name?: string;
}

export class IfcSummaryView {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty() priority: number;
  @ApiProperty() applicationServerId: number;
}

export class ServiceProfileView {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty({ type: [IfcSummaryView], description: 'initial filter criteria, by priority' })
  ifcs: IfcSummaryView[];
}

export function toServiceProfileView(
  p: ServiceProfile,
  ifcs: InitialFilterCriteria[] = p.ifcs ?? [],
): ServiceProfileView {
  return {
    id: p.id,
    name: p.name,
    ifcs: [...ifcs]
      .sort((a, b) => a.priority - b.priority)
      .map((i) => ({
        id: i.id,
        name: i.name,
        priority: i.priority,
        applicationServerId: i.applicationServerId,
      })),
  };
}
