import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What the stub does with the n-th request (from 0): answer it, or cut the connection. */
export type StubReply = { status: number; headers?: Record<string, string>; body?: unknown } | 'cut';

/**
 * A loopback HTTP server that answers each request as `reply` says and records what it got:
 * for unit tests of client logic (retries, headers) that a real server cannot be made to exercise.
 */
export class StubHttpServer {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;

  constructor(private readonly reply: (request: RecordedRequest, index: number, response: ServerResponse) => StubReply | 'handled') {}

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((incoming, response) => {
      let body = '';
      incoming.on('data', (chunk) => (body += chunk));
      incoming.on('end', () => {
        const request = { method: incoming.method!, url: incoming.url!, headers: incoming.headers, body };
        this.requests.push(request);
        const reply = this.reply(request, this.requests.length - 1, response);
        if (reply === 'handled') return;
        if (reply === 'cut') return void incoming.socket.destroy();
        const json = reply.body === undefined ? '' : JSON.stringify(reply.body);
        response.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers }).end(json);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** A problem+json body as the service answers it. */
export function problemBody(status: number, code: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: `urn:agent-ledger:problem:${code.toLowerCase()}`, title: code, status, detail: `${code} for the test`, code, ...extra };
}
