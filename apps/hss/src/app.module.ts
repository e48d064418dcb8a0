import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { hssConfigFactory, type HssConfig } from './config';
import { CxModule } from './cx/cx.module';
import { DatabaseModule } from './database';
import { EventsModule } from './events/events.module';
import { HealthController } from './health';
import { RestModule } from './rest/rest.module';
import { SeedModule } from './seed/seed.module';

/**
 * The HSS: database, REST provisioning, Cx Diameter server. `forRoot(config)` pins the
 * resolved configuration (overrides > environment > defaults) under the `hss` namespace.
 */
@Module({})
export class AppModule {
  static forRoot(config: HssConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [hssConfigFactory(config)],
        }),
        DatabaseModule,
        EventsModule,
        RestModule,
        SeedModule,
        CxModule,
      ],
      controllers: [HealthController],
    };
  }
}
