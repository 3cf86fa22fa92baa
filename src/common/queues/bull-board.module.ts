import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { ALL_QUEUES } from './queue-names';

export const BULL_BOARD_ROUTE = '/admin/queues';

/** Bull Board for the outbox queues. Its auth is attached in create-app (see adminAuthHook). */
@Module({
  imports: [
    BullBoardModule.forRoot({ route: BULL_BOARD_ROUTE, adapter: FastifyAdapter }),
    BullBoardModule.forFeature(...ALL_QUEUES.map((name) => ({ name, adapter: BullMQAdapter }))),
  ],
})
export class QueueBoardModule {}
