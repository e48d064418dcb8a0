import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import { ApplicationServer, DefaultHandling } from '../../database/entities';
import { PaginationQueryDto, SIP_URI_PATTERN } from '../common';

export class CreateApplicationServerDto {
  @ApiProperty({ example: 'voicemail' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  name: string;

  @ApiProperty({ description: 'ServerName: SIP URI of the AS', example: 'sip:as.ims.example:5070' })
  @IsString()
  @Matches(SIP_URI_PATTERN, { message: 'serverName must be a sip: or sips: URI' })
  @MaxLength(255)
  serverName: string;

  @ApiPropertyOptional({
    enum: [0, 1],
    description: '0 SESSION_CONTINUED, 1 SESSION_TERMINATED',
    default: 0,
  })
  @IsOptional()
  @IsIn([DefaultHandling.SESSION_CONTINUED, DefaultHandling.SESSION_TERMINATED], {
    message: 'defaultHandling must be 0 (SESSION_CONTINUED) or 1 (SESSION_TERMINATED)',
  })
  defaultHandling?: DefaultHandling;

  @ApiPropertyOptional({ description: 'ServiceInfo passed to the AS' })
  @IsOptional()
  @IsString()
  serviceInfo?: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  includeRegisterRequest?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  includeRegisterResponse?: boolean;
}

export class UpdateApplicationServerDto extends PartialType(CreateApplicationServerDto) {}

export class ApplicationServerQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'name prefix' })
  @IsOptional()
  @IsString()
  name?: string;

  @ApiPropertyOptional({ description: 'server name prefix' })
  @IsOptional()
  @IsString()
  serverName?: string;
}

export class ApplicationServerView {
  @ApiProperty() id: number;
  @ApiProperty() name: string;
  @ApiProperty() serverName: string;
  @ApiProperty({ enum: [0, 1] }) defaultHandling: number;
  @ApiProperty({ nullable: true, type: String }) serviceInfo: string | null;
  @ApiProperty() includeRegisterRequest: boolean;
  @ApiProperty() includeRegisterResponse: boolean;
}

export function toApplicationServerView(a: ApplicationServer): ApplicationServerView {
  return {
    id: a.id,
    name: a.name,
    serverName: a.serverName,
    defaultHandling: a.defaultHandling,
    serviceInfo: a.serviceInfo,
    includeRegisterRequest: !!a.includeRegisterRequest,
    includeRegisterResponse: !!a.includeRegisterResponse,
  };
}
