import type { BodyOf, DomainEvent, Method, ParamsOf, PathsWith, QueryOf, RequestOptions, ResponseOf, ServiceCall, ServiceCallInput } from './api-types';
import { VersionConflictError } from './errors';
import { fillPath, HttpTransport, RawResponse, TransportOptions } from './http';
import { EventHandler, subscribe, SubscribeOptions, Subscription } from './events';
import { submitResult, waitForPersisted, WaitOptions } from './results';

export type ClientOptions = Partial<TransportOptions>;

/** The options argument may be left out when nothing in it is required. */
type OptionsArg<O> = Partial<O> extends O ? [options?: O] : [options: O];

/**
 * A client of one agent-ledger server. Every route of the document can be called by its path,
 * typed by the document: `client.get('/api/v1/agents/{id}', { params: { id } })`.
 * Without options, the server is `AGENT_LEDGER_URL` (default `http://127.0.0.1:3000`) and the key
 * `AGENT_LEDGER_API_KEY` (none: a server with AUTH=off on loopback).
 */
export class AgentLedgerClient {
  readonly transport: HttpTransport;
  readonly events: {
    /** Every committed event whose type matches, in order, resuming by itself: see SubscribeOptions. */
    subscribe: (type: string, handler: EventHandler, options?: SubscribeOptions) => Subscription;
    /** One page of the event feed. */
    list: (query?: QueryOf<'/api/v1/events', 'get'>) => Promise<ResponseOf<'/api/v1/events', 'get'>>;
  };

  constructor(options: ClientOptions = {}) {
    this.transport = new HttpTransport({
      ...options,
      baseUrl: options.baseUrl ?? process.env.AGENT_LEDGER_URL ?? 'http://127.0.0.1:3000',
      apiKey: options.apiKey ?? process.env.AGENT_LEDGER_API_KEY,
    });
    this.events = {
      subscribe: (type, handler, subscribeOptions) => subscribe(this.transport, type, handler, subscribeOptions),
      list: (query) => this.get('/api/v1/events', { query }),
    };
  }

  /** A call with its status and headers (`ETag`, `Location`…); a non-2xx answer throws its typed error. */
  async request<M extends Method, P extends PathsWith<M>>(
    method: M,
    path: P,
    ...[options]: OptionsArg<RequestOptions<P, M>>
  ): Promise<RawResponse<ResponseOf<P, M>>> {
    const { params, query, body, ...call } = (options ?? {}) as {
      params?: Record<string, string>;
      query?: Record<string, unknown>;
      body?: unknown;
    } & RequestOptions<P, M>;
    return this.transport.send<ResponseOf<P, M>>({ method, path: fillPath(path, params), query, body, ...call });
  }

  async get<P extends PathsWith<'get'>>(path: P, ...options: OptionsArg<RequestOptions<P, 'get'>>): Promise<ResponseOf<P, 'get'>> {
    return (await this.request('get', path, ...options)).body;
  }

  /** A POST, with a fresh Idempotency-Key unless `idempotencyKey` is given: retries never make a second effect. */
  async post<P extends PathsWith<'post'>>(path: P, ...options: OptionsArg<RequestOptions<P, 'post'>>): Promise<ResponseOf<P, 'post'>> {
    return (await this.request('post', path, ...options)).body;
  }

  async put<P extends PathsWith<'put'>>(path: P, ...options: OptionsArg<RequestOptions<P, 'put'>>): Promise<ResponseOf<P, 'put'>> {
    return (await this.request('put', path, ...options)).body;
  }

  /** An update: pass the `version` you read; it is sent as `If-Match: "<version>"`. A stale one throws VersionConflictError. */
  async patch<P extends PathsWith<'patch'>>(path: P, ...options: OptionsArg<RequestOptions<P, 'patch'>>): Promise<ResponseOf<P, 'patch'>> {
    return (await this.request('patch', path, ...options)).body;
  }

  async delete<P extends PathsWith<'delete'>>(path: P, ...options: OptionsArg<RequestOptions<P, 'delete'>>): Promise<ResponseOf<P, 'delete'>> {
    return (await this.request('delete', path, ...options)).body;
  }

  /**
   * Read, change, write, and on a version conflict read again and re-apply `change` to what is
   * there now (up to `attempts` times). `change` gets the current resource and returns the patch,
   * or undefined when nothing needs to change. Returns the resource as written (or as read).
   */
  async update<P extends PathsWith<'get'> & PathsWith<'patch'>>(
    path: P,
    params: ParamsOf<P, 'patch'>,
    change: NoInfer<(current: ResponseOf<P, 'get'>) => BodyOf<P, 'patch'> | undefined>,
    options: { attempts?: number; signal?: AbortSignal } = {},
  ): Promise<ResponseOf<P, 'get'> | ResponseOf<P, 'patch'>> {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const read = await this.transport.send<ResponseOf<P, 'get'>>({
        method: 'GET',
        path: fillPath(path, params as Record<string, string>),
        signal: options.signal,
      });
      const patch = change(read.body);
      if (patch === undefined) return read.body;
      try {
        const written = await this.transport.send<ResponseOf<P, 'patch'>>({
          method: 'PATCH',
          path: fillPath(path, params as Record<string, string>),
          body: patch,
          version: versionOf(read),
          signal: options.signal,
        });
        return written.body;
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= attempts) throw error;
      }
    }
  }

  /** Hands a structured result to the outbox (`POST /service-calls`) to be persisted exactly once. */
  submitResult(input: ServiceCallInput, options?: { idempotencyKey?: string; signal?: AbortSignal }): Promise<ServiceCall> {
    return submitResult(this.transport, input, options);
  }

  /** Waits until the outbox has persisted a result; throws ResultNotPersistedError if it never will. */
  waitForPersisted(call: string | { id: string }, options?: WaitOptions): Promise<ServiceCall> {
    return waitForPersisted(this.transport, call, options);
  }
}

/** The version a read answered: its ETag (`"3"`), else the `version` member of the body. */
function versionOf(response: RawResponse<unknown>): number {
  const etag = /^(?:W\/)?"(\d+)"$/.exec(response.headers.get('ETag') ?? '');
  if (etag) return Number(etag[1]);
  const version = (response.body as { version?: unknown } | undefined)?.version;
  if (typeof version === 'number') return version;
  throw new TypeError('The resource read has no version (no ETag, no version member): it cannot be updated with If-Match');
}

export type { DomainEvent };
