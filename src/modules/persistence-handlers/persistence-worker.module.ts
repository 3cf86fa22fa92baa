import { Module } from '@nestjs/common';
import { OutboxSweeper } from './outbox-sweeper';
import { PersistenceHandlersModule } from './persistence-handlers.module';
import { PersistenceProcessor } from './persistence.processor';
import { ServiceCallPersister } from './service-call-persister';

/** Processing: the BullMQ worker and the sweeper. Loaded with APP_ROLE=worker or all, never api. */
@Module({
  imports: [PersistenceHandlersModule],
  providers: [ServiceCallPersister, PersistenceProcessor, OutboxSweeper],
  exports: [ServiceCallPersister, OutboxSweeper],
})
export class PersistenceWorkerModule {}
