import { Module } from '@nestjs/common';
import { eventCursorCodecProvider } from './event-cursor.provider';
import { EventFeed } from './event-feed.service';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventStreams } from './stream/event-streams.service';
import { EventWakeups } from './stream/event-wakeups';
import { StreamSeats } from './stream/stream-seats';

/** The event feed and its live stream. Writing and publishing events is the kernel's job (common/events). */
@Module({
  controllers: [EventsController],
  providers: [EventsRepository, eventCursorCodecProvider, EventFeed, EventWakeups, StreamSeats, EventStreams],
  exports: [EventFeed],
})
export class EventHistoryModule {}
