import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { AUTH_SCHEMES, PrivateIdentity } from '../../database/entities';
import { IMPI_PATTERN, IMPU_PATTERN, PaginationQueryDto } from '../common';
import { AuthDataDto } from './auth-data.dto';

export class CreatePrivateIdentityDto extends AuthDataDto {
  @ApiProperty({ example: '001010000000001@ims.mnc001.mcc001.3gppnetwork.org' })
  @IsString()
  @Matches(IMPI_PATTERN, { message: 'impi must be an NAI user@realm' })
  @MaxLength(255)
  impi: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  subscriptionId: number;

  @ApiPropertyOptional({
    type: [String],
    description: 'IMPUs of the same subscription this IMPI may register',
  })
  @IsOptional()
  @IsArray()
  @Matches(IMPU_PATTERN, {
    each: true,
    message: 'publicIdentities must hold sip:, sips: or tel: URIs',
  })
  publicIdentities?: string[];
}

/** Everything but the identity and its subscription may change. */
export class UpdatePrivateIdentityDto extends AuthDataDto {
  @ApiPropertyOptional({ type: [String], description: 'replaces the associated IMPUs' })
  @IsOptional()
  @IsArray()
  @Matches(IMPU_PATTERN, {
    each: true,
    message: 'publicIdentities must hold sip:, sips: or tel: URIs',
  })
  publicIdentities?: string[];
}

export class PrivateIdentityQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'IMPI prefix' })
  @IsOptional()
  @IsString()
  impi?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  subscriptionId?: number;

  @ApiPropertyOptional({ enum: AUTH_SCHEMES })
  @IsOptional()
  @IsIn(AUTH_SCHEMES)
  authScheme?: string;
}

/** A private identity as REST shows it: the secrets are never part of it. */
export class PrivateIdentityView {
  @ApiProperty() id: number;
  @ApiProperty() impi: string;
  @ApiProperty() subscriptionId: number;
  @ApiProperty({ enum: AUTH_SCHEMES }) authScheme: string;
  @ApiProperty({
    enum: ['op', 'opc'],
    nullable: true,
    description: 'what the operator provisioned',
  })
  opType: string | null;
  @ApiProperty() amf: string;
  @ApiProperty() sqn: number;
  @ApiProperty({ description: 'K is provisioned (its value is write-only)' }) hasK: boolean;
  @ApiProperty({ description: 'a password is provisioned (its value is write-only)' })
  hasPassword: boolean;
  @ApiProperty({ type: [String] }) publicIdentities: string[];
  @ApiProperty() createdAt: string;
}

export function toPrivateIdentityView(p: PrivateIdentity): PrivateIdentityView {
  return {
    id: p.id,
    impi: p.impi,
    subscriptionId: p.subscriptionId,
    authScheme: p.authScheme,
    opType: p.opType,
    amf: p.amf,
    sqn: Number(p.sqn),
    hasK: !!p.k,
    hasPassword: !!p.password,
    publicIdentities: (p.publicIdentities ?? []).map((i) => i.impu).sort(),
    createdAt: new Date(p.createdAt).toISOString(),
  };
}
