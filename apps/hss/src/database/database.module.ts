import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { hssConfig, type HssConfig } from '../config';
import { hssDataSourceOptions } from './data-source-options';
import { entities } from './entities';

/** The HSS database: one TypeORM DataSource, migrated at boot, repositories for every entity. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [hssConfig.KEY],
      // sqlite either opens at once or never will: fail the boot instead of retrying.
      useFactory: (config: HssConfig) => ({
        ...hssDataSourceOptions(config),
        retryAttempts: config.dbType === 'postgres' ? 10 : 0,
      }),
    }),
    TypeOrmModule.forFeature(entities),
  ],
  exports: [TypeOrmModule],
})
export class DatabaseModule {}
