import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { DatabaseConfig } from '../config/database.config';
import { migrations } from '../migrations';
import { EmbeddedDatabaseLock } from './embedded-lock';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { TenantScopedClient } from './tenant-scoped-client';

/** An embedded PGlite database, to be closed (and unlocked) when the data source is destroyed. */
export interface EmbeddedDatabase {
  pglite: PGlite;
  close(): Promise<void>;
}

export function openEmbeddedDatabase(dataDir: string): EmbeddedDatabase {
  const lock = EmbeddedDatabaseLock.acquire(dataDir);
  const pglite = new PGlite(join(dataDir, 'pg'), { extensions: { pgcrypto } });
  return {
    pglite,
    async close() {
      try {
        if (!pglite.closed) await pglite.close();
      } finally {
        lock.release();
      }
    },
  };
}

/** The entity classes a data source maps (the application's list is `src/entities.ts`). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM's own type for entity classes
export type EntityList = MixedList<Function | string | EntitySchema>;

/**
 * The single source of TypeORM options, for the app and the migration CLI alike. Both
 * profiles use TypeORM's own `postgres` driver: PGlite is reached through its node-postgres
 * bridge, so one set of migrations and SQL serves both. In both, every connection follows the
 * caller's tenant scope (TenantScopedClient), which the row-level security policies read.
 */
export function buildDataSourceOptions(config: DatabaseConfig, entities: EntityList, embedded?: EmbeddedDatabase): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities,
    migrations,
    namingStrategy: new SnakeNamingStrategy(),
    synchronize: false,
    uuidExtension: 'pgcrypto' as const,
    migrationsTransactionMode: 'each' as const,
    logging: ['error', 'warn', 'migration'] as ('error' | 'warn' | 'migration')[],
  };
  if (config.profile === 'server') {
    return { ...common, url: config.url, poolSize: config.poolSize, migrationsRun: config.migrationsRun, extra: { Client: TenantScopedClient } };
  }
  if (!embedded) throw new Error('The embedded profile needs an open embedded database');
  // PGlite is one session: a pool of one keeps transactions from interleaving on it.
  return { ...common, poolSize: 1, extra: { ...createPgConfig(embedded.pglite), Client: TenantScopedClient }, migrationsRun: true };
}
