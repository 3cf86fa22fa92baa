import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import { AppConfig, LogLevel } from '../../config';
import { KeyedIncomingMessage, redactUrl, requestLogLevel } from '../http/request-log';
import { AppLogger } from './app-logger';
import { PRETTY_TRANSPORT } from './pretty-transport';

/** Request lines are written at info (server errors at error). */
const REQUEST_LOG_LEVELS = new Set<LogLevel>(['info', 'debug', 'trace']);

export interface Logging {
  /** Nest's logger (app.useLogger). */
  logger: AppLogger;
  /** Writes the line of a request when its answer is sent; absent above info, where no request line would be written. */
  logRequest?: (request: IncomingMessage, response: ServerResponse) => void;
}

/**
 * The process's log: JSON lines, or one readable line each on a terminal (LOG_FORMAT). Request
 * lines name the key that acted (its id, never the key) and never a secret: headers are not
 * logged (and would be redacted), credentials in the URL are replaced.
 */
export function createLogging(config: Pick<AppConfig, 'logLevel' | 'logFormat'>): Logging {
  const http = pinoHttp<IncomingMessage, ServerResponse, never>({
    level: config.logLevel,
    transport: config.logFormat === 'pretty' ? PRETTY_TRANSPORT : undefined,
    customLogLevel: requestLogLevel,
    customProps: (request) => ({ keyId: (request as KeyedIncomingMessage).apiKeyId }),
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
    serializers: {
      req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: redactUrl(request.url) }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  });
  return {
    logger: new AppLogger(http.logger),
    // Not mounted at all above info: it roughly doubles throughput on small requests.
    logRequest: REQUEST_LOG_LEVELS.has(config.logLevel) ? (request, response) => http(request, response) : undefined,
  };
}
