import { BadRequestException } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { computeOpc } from '@lib/ims';
import { AUTH_SCHEMES, AuthScheme, OpType, PrivateIdentity } from '../../database/entities';
import { IsHex } from '../common';

/** SQN is 48 bits (TS 33.102 §6.3.2). */
export const MAX_SQN = 2 ** 48 - 1;

const AKA_SCHEMES: readonly AuthScheme[] = ['Digest-AKAv1-MD5', 'Digest-AKAv2-MD5'];

/**
 * The authentication data of a private identity (write-only): scheme, K, OP or OPc, AMF, SQN,
 * password. Shared by /private-identities and the /subscribers shortcut.
 */
export class AuthDataDto {
  @ApiPropertyOptional({ enum: AUTH_SCHEMES, default: 'Digest-AKAv1-MD5' })
  @IsOptional()
  @IsIn(AUTH_SCHEMES, { message: `authScheme must be one of ${AUTH_SCHEMES.join(', ')}` })
  authScheme?: AuthScheme;

  @ApiPropertyOptional({
    description: 'K, 128-bit subscriber key: 32 hex characters (write-only)',
    writeOnly: true,
  })
  @IsOptional()
  @IsHex(32)
  k?: string;

  @ApiPropertyOptional({
    description: 'OP, operator variant: 32 hex characters; OPc is derived and stored (write-only)',
    writeOnly: true,
  })
  @IsOptional()
  @IsHex(32)
  op?: string;

  @ApiPropertyOptional({ description: 'OPc: 32 hex characters (write-only)', writeOnly: true })
  @IsOptional()
  @IsHex(32)
  opc?: string;

  @ApiPropertyOptional({ description: 'AMF: 4 hex characters', default: '8000' })
  @IsOptional()
  @IsHex(4)
  amf?: string;

  @ApiPropertyOptional({
    description: 'SQN, 48-bit sequence number',
    default: 0,
    minimum: 0,
    maximum: MAX_SQN,
  })
  @IsOptional()
  @IsInt({ message: 'sqn must be an integer' })
  @Min(0, { message: 'sqn must be >= 0' })
  @Max(MAX_SQN, { message: `sqn must be <= ${MAX_SQN} (48 bits)` })
  sqn?: number;

  @ApiPropertyOptional({
    description: 'password for SIP Digest / Digest-MD5 (write-only)',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(255)
  password?: string;
}

/** The auth columns of a PrivateIdentity. */
export type AuthColumns = Pick<
  PrivateIdentity,
  'authScheme' | 'k' | 'opc' | 'op' | 'opType' | 'amf' | 'sqn' | 'password'
>;

/**
 * Cross-field rules of the auth data, as messages naming the field: AKA needs K and exactly
 * one of OP / OPc; SIP Digest and Digest-MD5 need a password. `current` is the stored data
 * when updating.
 */
export function authDataProblems(dto: AuthDataDto, current?: AuthColumns): string[] {
  const problems: string[] = [];
  if (dto.op !== undefined && dto.opc !== undefined)
    problems.push('op and opc are exclusive: give one of them');
  const scheme = dto.authScheme ?? current?.authScheme ?? 'Digest-AKAv1-MD5';
  if (AKA_SCHEMES.includes(scheme)) {
    if (!(dto.k ?? current?.k)) problems.push(`k is required for ${scheme}`);
    if (!(dto.op ?? dto.opc ?? current?.opc)) problems.push(`op or opc is required for ${scheme}`);
  } else if (!(dto.password ?? current?.password)) {
    problems.push(`password is required for ${scheme}`);
  }
  return problems;
}

/**
 * Resolves the auth columns to store: OPc derived from K and OP (TS 35.206 §4.1) when the
 * operator gave OP (kept for audits, `opType: 'op'`), taken as given otherwise. A new K with
 * the stored OP re-derives OPc. Throws 400 naming each bad field.
 */
export function resolveAuthData(dto: AuthDataDto, current?: AuthColumns): AuthColumns {
  const problems = authDataProblems(dto, current);
  if (problems.length) throw new BadRequestException(problems);
  return resolveAuthDataUnchecked(dto, current);
}

/** resolveAuthData without the checks, for callers that ran authDataProblems themselves. */
export function resolveAuthDataUnchecked(dto: AuthDataDto, current?: AuthColumns): AuthColumns {
  const k = dto.k ?? current?.k ?? null;
  let op = current?.op ?? null;
  let opc = current?.opc ?? null;
  let opType: OpType | null = current?.opType ?? null;
  if (dto.opc !== undefined) {
    opc = dto.opc;
    op = null;
    opType = 'opc';
  } else if (dto.op !== undefined) {
    op = dto.op;
    opType = 'op';
  }
  if (opType === 'op' && op && k && (dto.op !== undefined || dto.k !== undefined)) {
    opc = computeOpc(k, op).toString('hex');
  }
  return {
    authScheme: dto.authScheme ?? current?.authScheme ?? 'Digest-AKAv1-MD5',
    k,
    op,
    opc,
    opType,
    amf: dto.amf ?? current?.amf ?? '8000',
    sqn: dto.sqn ?? current?.sqn ?? 0,
    password: dto.password ?? current?.password ?? null,
  };
}
