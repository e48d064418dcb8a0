import { Module } from '@nestjs/common';
import { RestModule } from '../rest/rest.module';
import { DemoSeedService } from './demo-seed.service';

@Module({ imports: [RestModule], providers: [DemoSeedService] })
export class SeedModule {}
