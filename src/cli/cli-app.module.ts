import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { FEATURE_MODULES } from '../app.module';
import { DomainEventsModule } from '../common/events/domain-events.module';
import { PersistenceModule } from '../common/persistence/persistence.module';
import { QueuesModule } from '../common/queues/queues.module';
import { configLoaders, validateEnv } from '../config';
import { entities } from '../data-source';
import { DatabaseModule } from '../database/database.module';
import { RedisModule } from '../redis/redis.module';

/**
 * The application without HTTP and without workers, for commands that act as the service does:
 * the same database, the same queues (so what they change is picked up by the running workers),
 * the same handler registry and the same events.
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configLoaders, validate: validateEnv }),
    DatabaseModule.forRoot(entities),
    RedisModule,
    PersistenceModule,
    DomainEventsModule,
    QueuesModule,
    ...FEATURE_MODULES,
  ],
})
export class CliAppModule {}
