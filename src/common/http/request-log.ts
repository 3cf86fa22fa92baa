import type { IncomingMessage, ServerResponse } from 'node:http';

/** Query parameters whose value may be a credential. */
const SECRET_PARAMETER = /key|token|secret|passw|auth|signature|credential|session/i;
/** An API key wherever it appears (a path segment, a parameter of any name). */
const API_KEY = /alk_[A-Za-z0-9_-]+/g;
const REDACTED = '[Redacted]';

/** The URL as the request log shows it: credentials in the query string or the path replaced. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?');
  const path = (query < 0 ? url : url.slice(0, query)).replace(API_KEY, REDACTED);
  if (query < 0) return path;
  const parameters = url
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const separator = pair.indexOf('=');
      if (separator < 0) return pair.replace(API_KEY, REDACTED);
      let name = pair.slice(0, separator);
      try {
        name = decodeURIComponent(name);
      } catch {
        // a malformed name is judged as sent
      }
      return SECRET_PARAMETER.test(name) ? `${pair.slice(0, separator)}=${REDACTED}` : pair.replace(API_KEY, REDACTED);
    });
  return `${path}?${parameters.join('&')}`;
}

/** The raw request's note of the API key that authenticated it (its id), for the request log. */
export interface KeyedIncomingMessage extends IncomingMessage {
  apiKeyId?: string;
}

/**
 * The level of a request's log line: `error` only for the service's own failures (5xx); a refused
 * request (4xx) is `info`, and so is a client that went away before its answer (pino-http passes
 * no error for it, and its status is whatever was set by then): normal traffic, not a fault.
 */
export function requestLogLevel(_request: IncomingMessage, response: ServerResponse, error?: Error): 'info' | 'warn' | 'error' {
  if (response.statusCode >= 500 && response.writableEnded) return 'error';
  return error && response.writableEnded ? 'warn' : 'info';
}
