import { IncomingMessage, request } from 'node:http';
import { waitFor } from './wait';

export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/**
 * A minimal Server-Sent Events client over a real socket: it records every frame and comment, and
 * can stop reading (pause) to play a slow consumer.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  ended = false;
  private buffer = '';

  private constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => this.take(chunk));
    response.on('end', () => (this.ended = true));
    response.on('close', () => (this.ended = true));
    response.on('error', () => (this.ended = true));
  }

  /** Opens the stream; resolves with the client once the response head arrived (whatever its status). */
  static open(url: string, headers: Record<string, string>): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (response) => resolve(new SseClient(response)));
      req.on('error', reject);
      req.end();
    });
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  /** The domain events received (the default `message` frames), parsed. */
  get events(): { id: string; type: string; aggregateId: string; tenantId: string }[] {
    return this.messages.filter((message) => message.event === 'message').map((message) => ({ ...JSON.parse(message.data), id: message.id }));
  }

  /** The whole body, for a response that is not a stream (a problem). */
  async body(): Promise<unknown> {
    await waitFor('the end of the response', async () => this.ended, 10_000, 10);
    return JSON.parse(this.buffer);
  }

  waitForEvents(count: number, timeoutMs = 10_000): Promise<unknown> {
    return waitFor(`${count} events on the stream (have ${this.events.length})`, async () => this.events.length >= count, timeoutMs, 10);
  }

  waitForMessage(event: string, timeoutMs = 10_000): Promise<SseMessage> {
    return waitFor(`a "${event}" frame`, async () => this.messages.find((message) => message.event === event), timeoutMs, 10);
  }

  pause(): void {
    this.response.pause();
  }

  resume(): void {
    this.response.resume();
  }

  close(): void {
    this.response.destroy();
  }

  private take(chunk: string): void {
    if (this.status !== 200) {
      this.buffer += chunk;
      return;
    }
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) !== -1) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.parse(frame);
    }
  }

  private parse(frame: string): void {
    const message: SseMessage = { event: 'message', data: '' };
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) message.event = line.slice(7);
      else if (line.startsWith('id: ')) message.id = line.slice(4);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) return;
    message.data = data.join('\n');
    this.messages.push(message);
  }
}
