import type { DomainEvent, ResponseOf } from './api-types';
import { ApiError, errorForProblem, Problem, problemFromStatus } from './errors';
import type { HttpTransport } from './http';
import { backoffDelay, sleep } from './retry';
import { readServerSentEvents } from './sse';

export interface SubscribeOptions {
  /** A cursor: only events after it (an event's `id`, or `subscription.cursor`). Default: the start of the log. */
  from?: string;
  /** Only the events of one aggregate (an agent, a task…). */
  aggregateId?: string;
  /** Closes the subscription when aborted. */
  signal?: AbortSignal;
  /** Between two reads of the feed when the stream is not available (default 500 ms). */
  pollIntervalMs?: number;
  /** A connection that sends nothing (not even a heartbeat) for this long is dropped and resumed (default 60 s). */
  idleTimeoutMs?: number;
  /** Told about each failure the subscription recovers from by reconnecting. */
  onError?: (error: unknown) => void;
}

export interface Subscription {
  /** The position after the last event handled: resume from here with `{ from }`. */
  readonly cursor: string | undefined;
  /** How events arrive: the live stream, or reading the feed when the server has no stream. */
  readonly mode: 'stream' | 'poll';
  /** Stops the subscription; resolves once it has stopped. */
  close(): Promise<void>;
  /** Resolves when closed; rejects with the handler's error if a handler throws (the subscription stops then). */
  readonly done: Promise<void>;
}

export type EventHandler = (event: DomainEvent) => unknown;

type EventPage = ResponseOf<'/api/v1/events', 'get'>;
const STREAM_PATH = '/api/v1/events/stream';
const FEED_PATH = '/api/v1/events';
const PAGE_SIZE = 100;

class HandlerError extends Error {
  constructor(readonly original: unknown) {
    super('event handler failed');
  }
}

/**
 * Delivers the events whose type matches `type` (`agent.*`: one segment, `agent.**`: any depth) to
 * `handler`, one at a time, in log order, resuming from the last one handled after any disconnect.
 * Uses `GET /events/stream` (Server-Sent Events); a server without it (404) is read through the
 * feed, `GET /events?after=`, every `pollIntervalMs`.
 */
export function subscribe(transport: HttpTransport, type: string, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const state = { cursor: options.from, mode: 'stream' as 'stream' | 'poll' };

  const deliver = async (event: DomainEvent, cursor: string) => {
    if (signal.aborted) return;
    try {
      await handler(event);
    } catch (error) {
      throw new HandlerError(error);
    }
    state.cursor = cursor;
  };

  const readStream = async (): Promise<void> => {
    const connection = new AbortController();
    let idle: NodeJS.Timeout | undefined;
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(() => connection.abort(new Error('no data or heartbeat from the event stream')), options.idleTimeoutMs ?? 60_000);
    };
    const url = transport.url(STREAM_PATH, { type, aggregateId: options.aggregateId, after: state.cursor });
    const headers: Record<string, string> = { Accept: 'text/event-stream', ...transport.authHeaders() };
    if (state.cursor !== undefined) headers['Last-Event-ID'] = state.cursor;
    try {
      alive();
      const response = await transport.fetch(url, { headers, signal: AbortSignal.any([signal, connection.signal]) });
      if (response.status === 404) {
        await response.body?.cancel();
        state.mode = 'poll';
        return;
      }
      if (!response.ok || !response.body) throw await streamRefusal(response);
      for await (const message of readServerSentEvents(response.body, alive)) {
        // Every event carries its cursor as its id; a message without one (a notice, such as the
        // reason the server drops a connection) is not an event.
        if (message.id === undefined) continue;
        await deliver(JSON.parse(message.data) as DomainEvent, message.id);
      }
    } finally {
      clearTimeout(idle);
    }
  };

  const readFeed = async (): Promise<number> => {
    const query = { type, aggregateId: options.aggregateId, after: state.cursor, limit: PAGE_SIZE };
    const page = (await transport.send<EventPage>({ method: 'GET', path: FEED_PATH, query, signal })).body;
    for (const event of page.items) await deliver(event, event.id);
    if (page.nextCursor) state.cursor = page.nextCursor;
    return page.items.length;
  };

  const run = async () => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (state.mode === 'stream') {
          const before = state.cursor;
          await readStream();
          // A stream that ended without an event (a server restarting, a proxy cutting idle
          // connections) is reconnected with backoff, not in a tight loop.
          if (state.mode === 'stream' && state.cursor === before) throw new Error('the event stream ended');
        } else if ((await readFeed()) < PAGE_SIZE) {
          await sleep(options.pollIntervalMs ?? 500, signal);
        }
        failures = 0;
      } catch (error) {
        if (error instanceof HandlerError) throw error.original;
        if (signal.aborted) break;
        // A refusal that repeating cannot change (a bad key, a bad type pattern) stops the subscription.
        if (isPermanent(error)) throw error;
        options.onError?.(error);
        failures++;
        await sleep(backoffDelay(failures, { baseDelayMs: 250, maxDelayMs: 10_000 }), signal).catch(() => undefined);
      }
    }
  };

  const done = run().finally(() => stop.abort());
  done.catch(() => undefined);
  return {
    get cursor() {
      return state.cursor;
    },
    get mode() {
      return state.mode;
    },
    close: async () => {
      stop.abort();
      await done.catch(() => undefined);
    },
    done,
  };
}

/** The typed error of a stream request the server refused. */
async function streamRefusal(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as Problem;
    if (typeof problem.code === 'string') return errorForProblem({ ...problem, status: response.status });
  } catch {
    // not a problem body
  }
  return errorForProblem(problemFromStatus(response.status, `GET ${STREAM_PATH} answered ${response.status}`));
}

/** A client error other than 408 and 429: the same request would be refused again. */
function isPermanent(error: unknown): boolean {
  return error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
}
