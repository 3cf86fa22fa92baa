import type { Writable } from 'node:stream';

export interface SseFrame {
  id?: string;
  event?: string;
  data: string;
}

export interface BufferLimits {
  /** Bytes written but not yet taken by the client above which the writer must wait. */
  bufferBytes: number;
  /** How long the writer waits for the client to take them before giving up on it. */
  stallMs: number;
}

/** The client does not take what is written fast enough: it is dropped instead of buffered for. */
export class SlowConsumerError extends Error {
  constructor(
    readonly bufferedBytes: number,
    readonly stallMs: number,
  ) {
    super(`the client left ${bufferedBytes} bytes unread for ${stallMs} ms`);
  }
}

/** The client went away. */
export class ChannelClosedError extends Error {
  constructor() {
    super('the stream is closed');
  }
}

/** One `text/event-stream` frame. Data lines never contain a newline (JSON is written on one line). */
export function formatFrame(frame: SseFrame): string {
  let text = '';
  if (frame.event) text += `event: ${frame.event}\n`;
  if (frame.id) text += `id: ${frame.id}\n`;
  for (const line of frame.data.split('\n')) text += `data: ${line}\n`;
  return `${text}\n`;
}

/**
 * The writing end of one Server-Sent Events response, with a bounded buffer: the producer asks
 * `ready()` before producing more, which waits while the client has more than `bufferBytes`
 * unread and fails with SlowConsumerError when the client has not caught up within `stallMs`.
 * So a stream costs at most its buffer plus one page in memory, however slow the client.
 */
export class SseChannel {
  private ended = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly out: Writable,
    private readonly limits: BufferLimits,
  ) {
    const onClose = () => this.markClosed();
    out.once('close', onClose);
    out.once('error', onClose);
  }

  get closed(): boolean {
    return this.ended || this.out.destroyed || this.out.writableEnded;
  }

  /** Bytes written that the client has not taken yet (beyond what the socket holds). */
  get buffered(): number {
    return this.out.writableLength;
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  send(frame: SseFrame): void {
    this.write(formatFrame(frame));
  }

  comment(text: string): void {
    this.write(`: ${text}\n\n`);
  }

  /** Resolves when more may be written; rejects with SlowConsumerError or ChannelClosedError. */
  async ready(): Promise<void> {
    if (this.closed) throw new ChannelClosedError();
    if (this.out.writableLength <= this.limits.bufferBytes) return;
    const buffered = this.out.writableLength;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.out.off('drain', onDrain);
        this.out.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new ChannelClosedError());
      const timer = setTimeout(() => done(new SlowConsumerError(buffered, this.limits.stallMs)), this.limits.stallMs);
      this.out.on('drain', onDrain);
      this.out.once('close', onClose);
    });
  }

  /** Sends a last frame and ends the response; a client that has not taken it all after three stall periods is cut off. */
  close(last?: SseFrame): void {
    if (this.closed) return;
    if (last) this.write(formatFrame(last));
    this.out.end();
    this.markClosed();
    setTimeout(() => {
      if (!this.out.writableFinished) this.out.destroy();
    }, 3 * this.limits.stallMs).unref();
  }

  private write(text: string): void {
    if (this.closed) return;
    this.out.write(text);
  }

  private markClosed(): void {
    if (this.ended) return;
    this.ended = true;
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}
