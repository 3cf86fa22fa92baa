import { LoggerService } from '@nestjs/common';

/** Nest's start-up chatter: a line per module initialised and per route mapped (about 80 lines). */
const STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * The application's logger with Nest's start-up chatter moved down to debug, so that the lines a
 * person starting the service needs (where it listens, which database, whether auth is off) are
 * not buried under one line per route. `LOG_LEVEL=debug` shows the chatter again.
 */
export function quietStartup(logger: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...params: unknown[]) =>
      STARTUP_CONTEXTS.has(String(params.at(-1))) ? logger.debug?.(message, ...params) : logger.log(message, ...params),
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug?.(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => logger.fatal?.(message, ...params),
  };
}
