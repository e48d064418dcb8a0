import { Global, Module } from '@nestjs/common';
import { HssEventsService } from './hss-events.service';

/** One HssEventsService for the whole HSS (REST emits, Cx listens). */
@Global()
@Module({ providers: [HssEventsService], exports: [HssEventsService] })
export class EventsModule {}
