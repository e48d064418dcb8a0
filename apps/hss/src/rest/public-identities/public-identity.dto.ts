import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { IDENTITY_TYPES, PublicIdentity, REGISTRATION_STATES } from '../../database/entities';
import { IMPI_PATTERN, IMPU_PATTERN, PaginationQueryDto } from '../common';

class PublicIdentityFieldsDto {
  @ApiPropertyOptional({ enum: IDENTITY_TYPES, default: 'public-user-identity' })
  @IsOptional()
  @IsIn(IDENTITY_TYPES, { message: `identityType must be one of ${IDENTITY_TYPES.join(', ')}` })
  identityType?: (typeof IDENTITY_TYPES)[number];

  @ApiPropertyOptional({ default: false, description: 'Barring-Indication' })
  @IsOptional()
  @IsBoolean()
  barred?: boolean;

  @ApiPropertyOptional({ description: 'implicit registration set; default: a new set of its own' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  implicitSetId?: string;

  @ApiPropertyOptional({
    description: 'default IMPU of its implicit set (the first one is by default)',
  })
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(255)
  displayName?: string;

  @ApiPropertyOptional({ description: 'service profile id' })
  @IsOptional()
  @IsInt()
  @Min(1)
  serviceProfileId?: number;

  @ApiPropertyOptional({
    type: [String],
    description: 'IMPIs (same subscription) that may register this IMPU',
  })
  @IsOptional()
  @IsArray()
  @Matches(IMPI_PATTERN, { each: true, message: 'privateIdentities must hold NAIs user@realm' })
  privateIdentities?: string[];
}

export class CreatePublicIdentityDto extends PublicIdentityFieldsDto {
  @ApiProperty({ example: 'sip:+15550001@ims.mnc001.mcc001.3gppnetwork.org' })
  @IsString()
  @Matches(IMPU_PATTERN, { message: 'impu must be a sip:, sips: or tel: URI' })
  @MaxLength(255)
  impu: string;

  @ApiProperty()
  @IsInt()
  @Min(1)
  subscriptionId: number;
}

export class UpdatePublicIdentityDto extends PublicIdentityFieldsDto {}

export class PublicIdentityQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ description: 'IMPU prefix' })
  @IsOptional()
  @IsString()
  impu?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  subscriptionId?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  implicitSetId?: string;

  @ApiPropertyOptional({ enum: REGISTRATION_STATES })
  @IsOptional()
  @IsIn(REGISTRATION_STATES)
  registrationState?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  barred?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  serviceProfileId?: number;
}

export class PublicIdentityView {
  @ApiProperty() id: number;
  @ApiProperty() impu: string;
  @ApiProperty() subscriptionId: number;
  @ApiProperty({ enum: IDENTITY_TYPES }) identityType: string;
  @ApiProperty() barred: boolean;
  @ApiProperty() implicitSetId: string;
  @ApiProperty() isDefault: boolean;
  @ApiProperty({ nullable: true, type: String }) displayName: string | null;
  @ApiProperty({ nullable: true, type: Number }) serviceProfileId: number | null;
  @ApiProperty({ enum: REGISTRATION_STATES }) registrationState: string;
  @ApiProperty({ nullable: true, type: String }) scscfName: string | null;
  @ApiProperty({ nullable: true, type: String }) scscfDiameterHost: string | null;
  @ApiProperty({ type: [String] }) privateIdentities: string[];
}

export function toPublicIdentityView(p: PublicIdentity): PublicIdentityView {
  return {
    id: p.id,
    impu: p.impu,
    subscriptionId: p.subscriptionId,
    identityType: p.identityType,
    barred: !!p.barred,
    implicitSetId: p.implicitSetId,
    isDefault: !!p.isDefault,
    displayName: p.displayName,
    serviceProfileId: p.serviceProfileId,
    registrationState: p.registrationState,
    scscfName: p.scscfName,
    scscfDiameterHost: p.scscfDiameterHost,
    privateIdentities: (p.privateIdentities ?? []).map((i) => i.impi).sort(),
  };
}
