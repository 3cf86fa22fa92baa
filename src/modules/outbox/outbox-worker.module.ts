import { Module } from '@nestjs/common';
import { OutboxSweeper } from './outbox-sweeper';
import { OutboxModule } from './outbox.module';
import { OutboxProcessor } from './outbox.processor';
import { OutboxPersister } from './outbox-persister';

/** Processing: the BullMQ worker and the sweeper. Loaded with APP_ROLE=worker or all, never api. */
@Module({
  imports: [OutboxModule],
  providers: [OutboxPersister, OutboxProcessor, OutboxSweeper],
  exports: [OutboxPersister, OutboxSweeper],
})
export class OutboxWorkerModule {}
