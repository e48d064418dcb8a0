import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { Subscription } from '../../database/entities';
import { PaginationQueryDto } from '../common';

export class CreateSubscriptionDto {
  @ApiPropertyOptional({ example: 'alice' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  name?: string;
}

export class UpdateSubscriptionDto extends CreateSubscriptionDto {}

export class SubscriptionQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'name prefix' })
  @IsOptional()
  @IsString()
  name?: string;
}

export class SubscriptionView {
  @ApiProperty() id: number;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ type: [String], description: 'IMPIs' }) privateIdentities: string[];
  @ApiProperty({ type: [String], description: 'IMPUs' }) publicIdentities: string[];
}

export function toSubscriptionView(s: Subscription): SubscriptionView {
  return {
    id: s.id,
    name: s.name,
    createdAt: new Date(s.createdAt).toISOString(),
    privateIdentities: (s.privateIdentities ?? []).map((p) => p.impi).sort(),
    publicIdentities: (s.publicIdentities ?? []).map((p) => p.impu).sort(),
  };
}
