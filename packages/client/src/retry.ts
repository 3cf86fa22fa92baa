/** How the client retries a call that failed for a passing reason. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 5). 1 turns retries off. */
  attempts?: number;
  /** First backoff step, doubled at each attempt, with full jitter (default 200 ms). */
  baseDelayMs?: number;
  /** Largest backoff between two attempts (default 10 s). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown at once (default 60 s). */
  maxRetryAfterMs?: number;
  /** Told before each retry: for logs and metrics. */
  onRetry?: (retry: RetryInfo) => void;
}

export interface RetryInfo {
  method: string;
  path: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** What made it fail: `network`, or the status answered. */
  reason: 'network' | number;
  delayMs: number;
}

export const DEFAULT_RETRY: Required<Omit<RetryOptions, 'onRetry'>> = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
};

/** Exponential backoff with full jitter: a random delay in [0, min(max, base·2^(attempt-1))]. */
export function backoffDelay(attempt: number, options: { baseDelayMs: number; maxDelayMs: number }, random = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * ceiling);
}

/** `Retry-After` in ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Why a signal was aborted, as an Error (the default reason is already a DOMException `AbortError`). */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}
