import { Module } from '@nestjs/common';
import { FEATURE_MODULES, FOUNDATION_MODULES } from '../app.module';
import { QueuesModule } from '../common/queues/queues.module';

/**
 * The application without HTTP and without workers, for commands that act as the service does:
 * the same database, the same queues (so what they change is picked up by the running workers),
 * the same handler registry and the same events.
 */
@Module({
  imports: [...FOUNDATION_MODULES, QueuesModule, ...FEATURE_MODULES],
})
export class CliAppModule {}
