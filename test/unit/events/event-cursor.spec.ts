import { EventCursorCodec } from '../../../src/modules/events/event-cursor';

describe('EventCursorCodec', () => {
  const codec = new EventCursorCodec('a-secret');

  it('seals a position into 32 url-safe characters and opens it again, for the same tenant only', () => {
    const position = { xid: 123_456_789n, id: 987_654_321n };
    const cursor = codec.seal('tenant-a', position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(codec.open('tenant-a', cursor)).toEqual(position);
    expect(codec.open('tenant-b', cursor)).toBeUndefined();
    expect(codec.seal('tenant-a', position)).toBe(cursor);
  });

  it('shows nothing of the numbers: neighbouring positions give unrelated cursors', () => {
    const one = codec.seal('t', { xid: 1000n, id: 1n });
    const next = codec.seal('t', { xid: 1000n, id: 2n });
    const common = [...one].filter((char, i) => next[i] === char).length;
    expect(common).toBeLessThan(8);
  });

  it('refuses altered, made-up or foreign cursors', () => {
    const cursor = codec.seal('t', { xid: 5n, id: 6n });
    const flipped = `${cursor[0] === 'A' ? 'B' : 'A'}${cursor.slice(1)}`;
    for (const bad of [flipped, '42', '', cursor.slice(1), `${cursor}A`, new EventCursorCodec('another-secret').seal('t', { xid: 5n, id: 6n })]) {
      expect(codec.open('t', bad)).toBeUndefined();
    }
  });
});
