import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IMSI_PATTERN, PaginationQueryDto } from '../common';
import { AuthDataDto } from '../private-identities/auth-data.dto';

/**
 * The one-call subscriber of DESIGN.md: IMPI `<imsi>@<domain>` and the IMPUs
 * `sip:<imsi>@<domain>`, `sip:+<msisdn>@<domain>`, `tel:+<msisdn>` in one implicit
 * registration set (TS 23.003 §13, TS 23.228 §4.3.3.3), the first one default.
 */
export class CreateSubscriberDto extends AuthDataDto {
  @ApiProperty({ example: '001010000000001', description: 'IMSI, 6 to 15 digits (TS 23.003 §2.2)' })
  @IsString()
  @Matches(IMSI_PATTERN, { message: 'imsi must be 6 to 15 digits' })
  imsi: string;

  @ApiPropertyOptional({
    example: '15550001',
    description: 'MSISDN, E.164 digits (a leading + is accepted)',
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().replace(/^\+/, '') : value))
  @IsString()
  @Matches(/^[0-9]{1,15}$/, { message: 'msisdn must be 1 to 15 digits' })
  msisdn?: string;

  @ApiPropertyOptional({
    description: 'service profile name or id; default: "default" (created empty when missing)',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  serviceProfile?: string;
}

export class SubscriberQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'IMSI prefix' })
  @IsOptional()
  @IsString()
  imsi?: string;

  @ApiPropertyOptional({ description: 'MSISDN prefix' })
  @IsOptional()
  @IsString()
  msisdn?: string;

  @ApiPropertyOptional({ description: 'prefix of any of its IMPUs' })
  @IsOptional()
  @IsString()
  impu?: string;
}
