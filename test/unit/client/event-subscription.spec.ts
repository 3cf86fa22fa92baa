import { AgentLedgerClient, DomainEvent, readServerSentEvents, SseMessage, UnauthenticatedError } from '@agent-ledger/client';
import { problemBody, StubHttpServer } from '../../utils/stub-http-server';
import { waitFor } from '../../utils/wait';

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

function eventWith(id: string, type = 'agent.registered'): DomainEvent {
  return {
    id,
    type,
    aggregateType: 'agent',
    aggregateId: '01a24a80-095c-729b-8460-492486e2d78c',
    aggregateVersion: 1,
    tenantId: 't',
    actorId: 'a',
    keyId: null,
    correlationId: null,
    payload: {},
    occurredAt: new Date(0).toISOString(),
  };
}

const sse = (event: DomainEvent) => `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

describe('readServerSentEvents', () => {
  it('parses messages split anywhere, CRLF lines, multi-line data, and skips heartbeat comments', async () => {
    const messages: SseMessage[] = [];
    const stream = streamOf(
      ': heartbeat\n\nid: 1\nevent: agent.regis',
      'tered\ndata: {"a":\r\ndata: 1}\r\n\r',
      '\n: heartbeat\n\ndata: two\n\n',
      'data: cut off without a blank line',
    );
    for await (const message of readServerSentEvents(stream)) messages.push(message);

    expect(messages).toEqual([
      { id: '1', event: 'agent.registered', data: '{"a":\n1}' },
      { id: undefined, event: 'message', data: 'two' },
    ]);
  });
});

describe('events.subscribe (against a stub server)', () => {
  let stub: StubHttpServer;
  afterEach(() => stub.stop());

  it('resumes the stream after a disconnect from the last event handled, with Last-Event-ID', async () => {
    const events = ['11', '12', '13'].map((id) => eventWith(id));
    stub = await new StubHttpServer((request, index, response) => {
      if (!request.url.startsWith('/api/v1/events/stream')) return { status: 500 };
      response.writeHead(200, { 'Content-Type': 'text/event-stream' });
      // The first connection carries two events and is dropped with a notice; the second the rest, then stays open.
      if (index === 0) response.end(`: hello\n\n${sse(events[0])}${sse(events[1])}event: dropped\ndata: {"reason":"too slow"}\n\n`);
      else response.write(`${sse(events[2])}: heartbeat\n\n`);
      return 'handled';
    }).start();
    const client = new AgentLedgerClient({ baseUrl: stub.baseUrl, apiKey: 'k' });
    const received: string[] = [];
    const subscription = client.events.subscribe('agent.*', (event) => void received.push(event.id), { from: '10' });

    await waitFor('three events', async () => received.length === 3);
    await subscription.close();

    expect(received).toEqual(['11', '12', '13']);
    expect(subscription.mode).toBe('stream');
    expect(subscription.cursor).toBe('13');
    const [first, second] = stub.requests;
    expect(new URL(first.url, stub.baseUrl).searchParams.get('type')).toBe('agent.*');
    expect(first.headers['last-event-id']).toBe('10');
    expect(first.headers.authorization).toBe('Bearer k');
    expect(second.headers['last-event-id']).toBe('12');
    expect(new URL(second.url, stub.baseUrl).searchParams.get('after')).toBe('12');
  });

  it('reads the feed instead when the server has no stream (404), page after page', async () => {
    const pages = [
      { items: [eventWith('1'), eventWith('2')], nextCursor: '2' },
      { items: [eventWith('3')], nextCursor: null },
    ];
    stub = await new StubHttpServer((request) => {
      const url = new URL(request.url, 'http://stub');
      if (url.pathname === '/api/v1/events/stream') return { status: 404, body: problemBody(404, 'NOT_FOUND') };
      const after = url.searchParams.get('after');
      return { status: 200, body: after === null ? pages[0] : after === '2' ? pages[1] : { items: [], nextCursor: null } };
    }).start();
    const client = new AgentLedgerClient({ baseUrl: stub.baseUrl });
    const received: string[] = [];
    const subscription = client.events.subscribe('agent.*', (event) => void received.push(event.id), {
      aggregateId: '01a24a80-095c-729b-8460-492486e2d78c',
      pollIntervalMs: 10,
    });

    await waitFor('the feed read past its head', async () => stub.requests.some((request) => request.url.includes('after=3')));
    await subscription.close();

    expect(received).toEqual(['1', '2', '3']);
    expect(subscription.mode).toBe('poll');
    const feedQuery = new URL(stub.requests[1].url, 'http://stub').searchParams;
    expect(feedQuery.get('type')).toBe('agent.*');
    expect(feedQuery.get('aggregateId')).toBe('01a24a80-095c-729b-8460-492486e2d78c');
  });

  it('stops when the handler throws, with the error, the cursor at the last event handled', async () => {
    stub = await new StubHttpServer((_request, _index, response) => {
      response.writeHead(200, { 'Content-Type': 'text/event-stream' });
      response.write(sse(eventWith('1')) + sse(eventWith('2')));
      return 'handled';
    }).start();
    const client = new AgentLedgerClient({ baseUrl: stub.baseUrl });
    const subscription = client.events.subscribe('agent.*', (event) => {
      if (event.id === '2') throw new Error('handler broke');
    });

    await expect(subscription.done).rejects.toThrow('handler broke');
    expect(subscription.cursor).toBe('1');
  });

  it('stops with the typed error when the stream is refused for good (a bad key), instead of reconnecting', async () => {
    stub = await new StubHttpServer(() => ({ status: 401, body: problemBody(401, 'UNAUTHENTICATED') })).start();
    const client = new AgentLedgerClient({ baseUrl: stub.baseUrl, apiKey: 'revoked' });
    const subscription = client.events.subscribe('agent.*', () => undefined);

    await expect(subscription.done).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(stub.requests).toHaveLength(1);
  });
});
