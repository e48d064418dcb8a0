import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Min,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';

const SPT_KINDS = [
  'method',
  'requestUri',
  'sipHeader',
  'sessionCase',
  'sessionDescription',
] as const;

/** TS 29.228 Annex B.2.2: an SPT is one of Method, RequestURI, SIPHeader, SessionCase, SessionDescription. */
@ValidatorConstraint({ name: 'exactlyOneSptKind' })
class ExactlyOneSptKind implements ValidatorConstraintInterface {
  validate(_: unknown, args: ValidationArguments): boolean {
    const spt = args.object as Record<string, unknown>;
    return SPT_KINDS.filter((k) => spt[k] !== undefined && spt[k] !== null).length === 1;
  }

  defaultMessage(): string {
    // Nest prefixes the property path (triggerPoint.spts.N.) to the message.
    return `${SPT_KINDS.join('|')}: an SPT needs exactly one of them`;
  }
}

export class SipHeaderDto {
  @ApiProperty({ example: 'Event' })
  @IsString()
  @IsNotEmpty()
  header: string;

  @ApiPropertyOptional({ description: 'regular expression on the header value', example: 'reg' })
  @IsOptional()
  @IsString()
  content?: string;
}

export class SessionDescriptionDto {
  @ApiProperty({ example: 'm' })
  @IsString()
  @IsNotEmpty()
  line: string;

  @ApiPropertyOptional({ example: 'audio' })
  @IsOptional()
  @IsString()
  content?: string;
}

/** A Service Point Trigger (TS 29.228 Annex B.2.2 SPT). */
export class ServicePointTriggerDto {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  conditionNegated?: boolean;

  @ApiProperty({ type: [Number], description: 'Group numbers of this SPT', example: [0] })
  @IsArray()
  @ArrayMinSize(1)
  @IsInt({ each: true })
  @Min(0, { each: true })
  group: number[];

  @ApiPropertyOptional({ example: 'INVITE' })
  @Validate(ExactlyOneSptKind)
  @ValidateIf((o: ServicePointTriggerDto) => o.method !== undefined)
  @IsString()
  @IsNotEmpty()
  method?: string;

  @ApiPropertyOptional({ description: 'regular expression on the Request-URI' })
  @ValidateIf((o: ServicePointTriggerDto) => o.requestUri !== undefined)
  @IsString()
  @IsNotEmpty()
  requestUri?: string;

  @ApiPropertyOptional({ type: SipHeaderDto })
  @ValidateIf((o: ServicePointTriggerDto) => o.sipHeader !== undefined)
  @ValidateNested()
  @Type(() => SipHeaderDto)
  sipHeader?: SipHeaderDto;

  @ApiPropertyOptional({
    enum: [0, 1, 2, 3, 4],
    description:
      '0 ORIGINATING_SESSION, 1 TERMINATING_REGISTERED, 2 TERMINATING_UNREGISTERED, 3 ORIGINATING_UNREGISTERED, 4 ORIGINATING_CDIV',
  })
  @ValidateIf((o: ServicePointTriggerDto) => o.sessionCase !== undefined)
  @IsIn([0, 1, 2, 3, 4], { message: 'sessionCase must be 0..4' })
  sessionCase?: 0 | 1 | 2 | 3 | 4;

  @ApiPropertyOptional({ type: SessionDescriptionDto })
  @ValidateIf((o: ServicePointTriggerDto) => o.sessionDescription !== undefined)
  @ValidateNested()
  @Type(() => SessionDescriptionDto)
  sessionDescription?: SessionDescriptionDto;

  @ApiPropertyOptional({
    type: [Number],
    description: 'with method REGISTER: 0 INITIAL, 1 RE-REGISTRATION, 2 DE-REGISTRATION',
  })
  @IsOptional()
  @IsArray()
  @IsIn([0, 1, 2], { each: true, message: 'registrationType must hold 0, 1 or 2' })
  registrationType?: number[];
}

/** TriggerPoint (TS 29.228 Annex B.2.2): SPTs combined in CNF (conditionTypeCnf) or DNF. */
export class TriggerPointDto {
  @ApiProperty({ description: 'true: Conjunctive Normal Form; false: Disjunctive Normal Form' })
  @IsBoolean()
  conditionTypeCnf: boolean;

  @ApiProperty({ type: [ServicePointTriggerDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => ServicePointTriggerDto)
  spts: ServicePointTriggerDto[];
}
