import { Module } from '@nestjs/common';

/**
 * Cx Diameter interface of the HSS (TS 29.228 / TS 29.229): UAR, MAR, SAR, LIR served,
 * RTR and PPR sent. Stub: the providers land in the following commits.
 */
@Module({})
export class CxModule {}
