import type { ServiceCall, ServiceCallInput } from './api-types';
import { ResultNotPersistedError, WaitTimeoutError } from './errors';
import type { HttpTransport } from './http';
import { sleep } from './retry';

export interface WaitOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** First pause between two reads, doubled up to 2 s (default 100 ms). */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Hands a structured result to the outbox (`POST /service-calls`): 202 when stored, 200 with the
 * first record when this (callId, schema) was already handed over. Either way it will be persisted once.
 */
export async function submitResult(
  transport: HttpTransport,
  input: ServiceCallInput,
  options: { idempotencyKey?: string; signal?: AbortSignal } = {},
): Promise<ServiceCall> {
  const response = await transport.send<ServiceCall>({ method: 'POST', path: '/api/v1/service-calls', body: input, ...options });
  return response.body;
}

/**
 * Reads the service call until its handler has persisted it, and returns it (with the
 * `domainObjects` it became). Throws ResultNotPersistedError when it was dead-lettered or skipped.
 */
export async function waitForPersisted(transport: HttpTransport, call: string | { id: string }, options: WaitOptions = {}): Promise<ServiceCall> {
  const id = typeof call === 'string' ? call : call.id;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let pause = options.intervalMs ?? 100;
  for (;;) {
    const { body } = await transport.send<ServiceCall>({ method: 'GET', path: `/api/v1/service-calls/${encodeURIComponent(id)}`, signal: options.signal });
    if (body.status === 'persisted') return body;
    if (body.status === 'dead_lettered' || body.status === 'skipped') throw new ResultNotPersistedError(body);
    if (Date.now() + pause > deadline) throw new WaitTimeoutError(`service call ${id} to be persisted (it is ${body.status})`, timeoutMs);
    await sleep(pause, options.signal);
    pause = Math.min(pause * 2, 2_000);
  }
}
