import { ApiProperty } from '@nestjs/swagger';

/** One line of the Cx registration trace (`GET /subscribers/:imsi/attempts`). */
export class RegistrationAttemptView {
  @ApiProperty({ example: 42 })
  id: number;

  @ApiProperty({ example: '2026-11-23T20:15:02.123Z' })
  createdAt: string;

  @ApiProperty({ enum: ['UAR', 'MAR', 'SAR', 'LIR', 'RTR', 'PPR'] })
  command: string;

  @ApiProperty({
    nullable: true,
    type: String,
    example: '001010000000001@ims.mnc001.mcc001.3gppnetwork.org',
  })
  impi: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    example: 'sip:001010000000001@ims.mnc001.mcc001.3gppnetwork.org',
  })
  impu: string | null;

  @ApiProperty({
    description: 'Result-Code, or Experimental-Result-Code when experimental',
    example: 2001,
  })
  resultCode: number;

  @ApiProperty({ description: 'true when resultCode came in Experimental-Result (vendor 10415)' })
  experimental: boolean;

  @ApiProperty({ description: 'Origin-Host of the request (Destination-Host for RTR/PPR)' })
  originHost: string;

  @ApiProperty({ example: 'MAR scheme Digest-AKAv1-MD5, SQN 000000000040 issued (1 vector(s))' })
  detail: string;
}
