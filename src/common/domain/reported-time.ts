import { ValidationFailedError } from '../errors';

/** How far ahead of the server's clock a client's clock may run: a reported instant later than that is refused. */
export const CLOCK_SKEW_ALLOWANCE_MS = 60_000;

/**
 * An instant a client reports about its own work (when it started a task, when a message
 * arrived), as a Date; undefined when it reported none. One later than now plus the clock-skew
 * allowance is a 400 naming the field: it cannot have happened yet.
 */
export function reportedInstant(field: string, value: string | undefined, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  const instant = new Date(value);
  if (instant.getTime() > now.getTime() + CLOCK_SKEW_ALLOWANCE_MS) {
    throw new ValidationFailedError([{ field, message: `${field} is in the future (${value}); the server's clock reads ${now.toISOString()}` }]);
  }
  return instant;
}
