import { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventCursorCodec } from './event-cursor';

/** The codec, keyed by the secret the EventCommitOrder migration made in this database (shared by every process). */
export const eventCursorCodecProvider: Provider = {
  provide: EventCursorCodec,
  inject: [DataSource],
  useFactory: async (dataSource: DataSource) => {
    const [row]: { secret: string }[] = await dataSource.query(`SELECT secret FROM event_cursor_keys WHERE id = 1`);
    if (!row) throw new Error('event_cursor_keys is empty: run the migrations');
    return new EventCursorCodec(row.secret);
  },
};
