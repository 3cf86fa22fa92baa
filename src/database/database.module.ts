import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule, TypeOrmModuleOptions } from '@nestjs/typeorm';
import { databaseConfig, DatabaseConfig } from '../config/database.config';
import { createDataSource } from './create-data-source';
import { DatabaseIdentity } from './database-identity';
import { EntityList } from './data-source-options';
import { RowLevelSecurityCheck } from './row-level-security.check';

type Options = TypeOrmModuleOptions & { databaseConfig: DatabaseConfig };

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', '57P03']);

/** The connection for either profile. The application names its entities (`src/data-source.ts`): this layer knows none. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(entities: EntityList): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [databaseConfig.KEY],
          useFactory: (config: DatabaseConfig): Options => ({
            type: 'postgres',
            databaseConfig: config,
            // A PostgreSQL that is still starting is waited for; anything else fails start-up at once.
            retryAttempts: config.profile === 'server' ? 5 : 0,
            retryDelay: 2000,
            toRetry: (error: unknown) => CONNECTION_ERRORS.has((error as { code?: string }).code ?? ''),
          }),
          dataSourceFactory: async (options) => createDataSource((options as Options).databaseConfig, entities),
        }),
      ],
      providers: [RowLevelSecurityCheck, DatabaseIdentity],
      exports: [DatabaseIdentity],
    };
  }
}
