import { Module } from '@nestjs/common';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';

/** The event history API. Writing and publishing events is the kernel's job (common/events). */
@Module({ controllers: [EventsController], providers: [EventsRepository] })
export class EventHistoryModule {}
