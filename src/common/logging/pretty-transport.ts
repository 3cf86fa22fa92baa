import type { TransportSingleOptions } from 'pino';

/**
 * One readable line per log entry for a person at a terminal (`LOG_FORMAT=pretty`, the default on a
 * TTY outside production): time, level, where it comes from, the message; a request line adds its
 * method, URL, status and duration.
 */
export const PRETTY_TRANSPORT: TransportSingleOptions = {
  target: 'pino-pretty',
  options: {
    colorize: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,context,req,res,responseTime,keyId',
    messageFormat: '{if context}{context}: {end}{msg}{if req.method} {req.method} {req.url} → {res.statusCode} in {responseTime} ms{end}',
  },
};
