import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IMSI_PATTERN, PaginationQueryDto } from '../common';
import { AUTH_SCHEMES } from '../../database/entities';
import { AuthDataDto, MAX_SQN } from '../private-identities/auth-data.dto';

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

const FIELDS = new Set([
  'imsi',
  'msisdn',
  'k',
  'op',
  'opc',
  'amf',
  'sqn',
  'authScheme',
  'password',
  'serviceProfile',
]);
const HEX32 = /^[0-9a-fA-F]{32}$/;
const optionalMatch = (v: unknown, re: RegExp) =>
  v === undefined || (typeof v === 'string' && re.test(v));

/**
 * A fast, conservative check for bulk imports: true only for rows every CreateSubscriberDto
 * rule accepts (a strict subset of them), returning the DTO with its transforms applied.
 * Rows it does not vouch for go through class-validator, which names the bad fields.
 */
export function quickSubscriber(data: Record<string, unknown>): CreateSubscriberDto | undefined {
  for (const key of Object.keys(data)) if (!FIELDS.has(key)) return undefined;
  const { imsi, msisdn, k, op, opc, amf, sqn, authScheme, password, serviceProfile } = data;
  if (typeof imsi !== 'string' || !IMSI_PATTERN.test(imsi)) return undefined;
  if (!optionalMatch(msisdn, /^\+?[0-9]{1,15}$/)) return undefined;
  if (!optionalMatch(k, HEX32) || !optionalMatch(op, HEX32) || !optionalMatch(opc, HEX32))
    return undefined;
  if (!optionalMatch(amf, /^[0-9a-fA-F]{4}$/)) return undefined;
  if (
    sqn !== undefined &&
    !(Number.isSafeInteger(sqn) && (sqn as number) >= 0 && (sqn as number) <= MAX_SQN)
  ) {
    return undefined;
  }
  if (authScheme !== undefined && !(AUTH_SCHEMES as readonly unknown[]).includes(authScheme))
    return undefined;
  if (
    password !== undefined &&
    !(typeof password === 'string' && password.length >= 1 && password.length <= 255)
  ) {
    return undefined;
  }
  if (
    serviceProfile !== undefined &&
    !(
      typeof serviceProfile === 'string' &&
      serviceProfile.length >= 1 &&
      serviceProfile.length <= 255
    )
  ) {
    return undefined;
  }
  const dto = new CreateSubscriberDto();
  dto.imsi = imsi;
  if (msisdn !== undefined) dto.msisdn = (msisdn as string).replace(/^\+/, '');
  if (k !== undefined) dto.k = (k as string).toLowerCase();
  if (op !== undefined) dto.op = (op as string).toLowerCase();
  if (opc !== undefined) dto.opc = (opc as string).toLowerCase();
  if (amf !== undefined) dto.amf = (amf as string).toLowerCase();
  if (sqn !== undefined) dto.sqn = sqn as number;
  if (authScheme !== undefined) dto.authScheme = authScheme as CreateSubscriberDto['authScheme'];
  if (password !== undefined) dto.password = password as string;
  if (serviceProfile !== undefined) dto.serviceProfile = serviceProfile as string;
  return dto;
}
