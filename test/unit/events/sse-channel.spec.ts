import { Writable } from 'node:stream';
import { formatFrame, SlowConsumerError, SseChannel } from '../../../src/modules/events/stream/sse-channel';

/** A socket whose peer takes bytes only when told to: what a slow client looks like to the server. */
class SlowPeer extends Writable {
  readonly received: string[] = [];
  private pending: (() => void)[] = [];

  constructor() {
    super({ highWaterMark: 64, decodeStrings: false });
  }

  override _write(chunk: string, _encoding: BufferEncoding, callback: () => void): void {
    this.received.push(String(chunk));
    this.pending.push(callback);
  }

  /** The client reads everything sent so far. */
  takeAll(): void {
    while (this.pending.length > 0) this.pending.shift()!();
  }
}

const frame = { id: 'c1', data: 'x'.repeat(100) };

describe('SseChannel: the buffer policy of a stream', () => {
  it('formats frames as text/event-stream', () => {
    expect(formatFrame({ event: 'dropped', id: 'abc', data: '{"a":1}' })).toBe('event: dropped\nid: abc\ndata: {"a":1}\n\n');
    expect(formatFrame({ data: 'one\ntwo' })).toBe('data: one\ndata: two\n\n');
  });

  it('lets the producer go on while the client keeps up', async () => {
    const peer = new SlowPeer();
    const channel = new SseChannel(peer, { bufferBytes: 1000, stallMs: 50 });
    for (let i = 0; i < 5; i++) {
      await channel.ready();
      channel.send(frame);
      peer.takeAll();
    }
    expect(peer.received).toHaveLength(5);
  });

  it('makes the producer wait while the client is behind, and go on when it catches up', async () => {
    const peer = new SlowPeer();
    const channel = new SseChannel(peer, { bufferBytes: 300, stallMs: 5000 });
    for (let i = 0; i < 4; i++) channel.send(frame);
    let ready = false;
    const waiting = channel.ready().then(() => (ready = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ready).toBe(false);
    peer.takeAll();
    await waiting;
    expect(ready).toBe(true);
  });

  it('gives up on a client that stays behind longer than stallMs instead of buffering more', async () => {
    const peer = new SlowPeer();
    const channel = new SseChannel(peer, { bufferBytes: 300, stallMs: 30 });
    for (let i = 0; i < 4; i++) channel.send(frame);
    await expect(channel.ready()).rejects.toBeInstanceOf(SlowConsumerError);
    channel.close({ event: 'dropped', data: '{"reason":"slow_consumer"}' });
    expect(channel.closed).toBe(true);
    peer.takeAll();
    expect(peer.received.at(-1)).toContain('event: dropped');
  });

  it('tells the producer when the client went away', async () => {
    const peer = new SlowPeer();
    const channel = new SseChannel(peer, { bufferBytes: 300, stallMs: 5000 });
    let closed = false;
    channel.onClose(() => (closed = true));
    for (let i = 0; i < 4; i++) channel.send(frame);
    const waiting = channel.ready();
    peer.destroy();
    await expect(waiting).rejects.toThrow('closed');
    expect(closed).toBe(true);
  });
});
