import { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

/** Nest's start-up chatter: a line per module initialised and per route mapped (about 80 lines). */
const STARTUP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * Nest's logger calls written by pino, one JSON object (or one pretty line) each: the context (the
 * last string argument, as Nest passes it) as `context`, an error's stack as `err`, the fields of
 * an object given first merged into the line (with the message that follows them, if any). Nest's
 * start-up chatter goes to debug, so that the lines a person starting the service needs (where it
 * listens, which database, whether auth is off) are not buried under one line per route;
 * `LOG_LEVEL=debug` shows it again.
 */
export class AppLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write(STARTUP_CONTEXTS.has(String(params.at(-1))) ? 'debug' : 'info', message, params);
  }

  /** Nest calls it as (message, stack?, context?). */
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const context = params.length > 0 && typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    const fields: Record<string, unknown> = context === undefined ? {} : { context };
    // The string between the first argument and the context: Nest's stack after an error's message,
    // or the message after an object of fields.
    const second = params.length > (context === undefined ? 0 : 1) && typeof params[0] === 'string' ? params[0] : undefined;
    const stack = level === 'error' ? second : undefined;
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...(message as Record<string, unknown>) }, second);
    } else {
      this.pino[level](stack === undefined ? fields : { ...fields, err: { stack } }, String(message));
    }
  }
}
