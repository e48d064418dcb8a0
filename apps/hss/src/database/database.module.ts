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
      useFactory: (config: HssConfig) => hssDataSourceOptions(config),
    }),
    TypeOrmModule.forFeature(entities),
  ],
  exports: [TypeOrmModule],
})
export class DatabaseModule {}
