import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { HssConfig } from '../config';
import { entities } from './entities';
import { migrations } from './migrations';

/**
 * TypeORM options for the configured database. sqlite (better-sqlite3) runs in WAL mode with
 * foreign keys on and its directory created when missing; PostgreSQL takes HSS_DB_URL. The
 * schema only ever comes from the migrations (`migrationsRun`), never from `synchronize`.
 */
export function hssDataSourceOptions(config: HssConfig): DataSourceOptions {
  const common = {
    entities,
    migrations,
    migrationsRun: true,
    synchronize: false,
    logging: false,
  } as const;
  if (config.dbType === 'postgres') {
    return { ...common, type: 'postgres', url: config.dbUrl };
  }
  const memory = config.dbPath === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(config.dbPath)), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: memory ? ':memory:' : resolve(config.dbPath),
    enableWAL: !memory,
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      // WAL with synchronous=NORMAL stays durable across an application crash (sqlite.org/wal.html).
      db.pragma('busy_timeout = 5000');
      db.pragma('synchronous = NORMAL');
    },
  };
}
