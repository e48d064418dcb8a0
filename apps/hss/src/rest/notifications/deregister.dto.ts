import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { DEREGISTRATION_REASONS, DeregistrationReasonCode } from '../../events';

/** Body of the operator's de-registration: the Deregistration-Reason of the RTR (TS 29.229 §6.3.17). */
export class DeregisterDto {
  @ApiPropertyOptional({ enum: DEREGISTRATION_REASONS, default: 'PERMANENT_TERMINATION' })
  @IsOptional()
  @IsIn(DEREGISTRATION_REASONS, {
    message: `reason must be one of ${DEREGISTRATION_REASONS.join(', ')}`,
  })
  reason?: DeregistrationReasonCode;
}

export class DeregistrationView {
  @ApiProperty({ required: false }) impi?: string;
  @ApiProperty({ type: [String] }) impus: string[];
  @ApiProperty() scscfName: string;
  @ApiProperty() scscfDiameterHost: string;
}

export class DeregisterResultView {
  @ApiProperty({ enum: DEREGISTRATION_REASONS }) reason: string;
  @ApiProperty({ type: [DeregistrationView], description: 'one RTR per (IMPI, S-CSCF)' })
  deregistrations: DeregistrationView[];
}
