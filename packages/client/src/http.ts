import { randomUUID } from 'node:crypto';
import { ApiError, ConnectionError, errorForProblem, IdempotencyKeyInUseError, Problem, problemFromStatus } from './errors';
import { abortReason, backoffDelay, DEFAULT_RETRY, parseRetryAfter, RetryOptions, sleep } from './retry';

export interface TransportOptions {
  /** The server, e.g. `http://127.0.0.1:3000` (no `/api/v1`). */
  baseUrl: string;
  /** An API key; leave it out for a server with AUTH=off. */
  apiKey?: string;
  /** Sent as X-Actor-Id on every call: who acts, when one key serves several agents. */
  actorId?: string;
  retry?: RetryOptions;
  /** Time limit of one attempt (default 30 s); a timed-out attempt is retried like a network error. */
  timeoutMs?: number;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

export interface RawRequest {
  method: string;
  /** Path with its parameters filled in, e.g. `/api/v1/agents/…`. */
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
  idempotencyKey?: string;
  version?: number;
  signal?: AbortSignal;
}

export interface RawResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Fills `{name}` in a path template from `params`, each value URL-encoded. */
export function fillPath(template: string, params: Record<string, string | number | undefined> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`Missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(String(value));
  });
}

/** `?a=1&b=x` from the defined members of `query` (arrays repeat the name). */
export function queryString(query: Record<string, unknown> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A failure worth another attempt: why, and how long the server asked us to wait. */
type Transient = { reason: 'network' | number; retryAfterMs?: number; error: Error };

/**
 * One HTTP call with the house rules: JSON, the key, `If-Match: "<version>"`, an Idempotency-Key on
 * every POST (the same on each attempt, so a repeat is never a second effect), and retries with
 * backoff on network errors, 503 and 429 (waiting what `Retry-After` says) and 409 IDEMPOTENCY_KEY_IN_USE.
 */
export class HttpTransport {
  readonly baseUrl: string;
  private readonly retry: Required<Omit<RetryOptions, 'onRetry'>> & Pick<RetryOptions, 'onRetry'>;
  /** The fetch calls go through. */
  readonly fetch: typeof fetch;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /** The headers every call carries: the key and the actor. */
  authHeaders(): Record<string, string> {
    return {
      ...(this.options.apiKey ? { Authorization: `Bearer ${this.options.apiKey}` } : {}),
      ...(this.options.actorId ? { 'X-Actor-Id': this.options.actorId } : {}),
    };
  }

  url(path: string, query?: Record<string, unknown>): string {
    return `${this.baseUrl}${path}${queryString(query)}`;
  }

  async send<T>(request: RawRequest): Promise<RawResponse<T>> {
    const method = request.method.toUpperCase();
    const headers: Record<string, string> = { Accept: 'application/json', ...this.authHeaders(), ...request.headers };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    if (method === 'POST') headers['Idempotency-Key'] = request.idempotencyKey ?? randomUUID();
    if (request.version !== undefined) headers['If-Match'] = `"${request.version}"`;
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const url = this.url(request.path, request.query);

    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt<T>(method, url, headers, body, request.signal);
      if (!('reason' in outcome)) return outcome;
      const delayMs = outcome.retryAfterMs ?? backoffDelay(attempt, this.retry);
      if (attempt >= this.retry.attempts || (outcome.retryAfterMs ?? 0) > this.retry.maxRetryAfterMs) throw outcome.error;
      this.retry.onRetry?.({ method, path: request.path, attempt, reason: outcome.reason, delayMs });
      await sleep(delayMs, request.signal);
    }
  }

  private async attempt<T>(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal?: AbortSignal,
  ): Promise<RawResponse<T> | Transient> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 30_000);
    let response: Response;
    let text: string;
    try {
      response = await this.fetch(url, { method, headers, body, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      return { reason: 'network', error: new ConnectionError(`${method} ${url} failed: ${(error as Error).message}`, { cause: error }) };
    }
    const parsed = parseJson(text);
    if (response.ok) return { status: response.status, headers: response.headers, body: parsed as T };

    const error = toApiError(response.status, parsed, text);
    if (response.status === 429 || response.status === 503) {
      return { reason: response.status, retryAfterMs: parseRetryAfter(response.headers.get('Retry-After')), error };
    }
    if (error instanceof IdempotencyKeyInUseError) return { reason: response.status, error };
    throw error;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toApiError(status: number, parsed: unknown, text: string): ApiError {
  const problem = parsed as Partial<Problem> | undefined;
  if (problem && typeof problem === 'object' && typeof problem.code === 'string') return errorForProblem({ ...problem, status } as Problem);
  return errorForProblem(problemFromStatus(status, text.slice(0, 200) || `HTTP ${status}`));
}
