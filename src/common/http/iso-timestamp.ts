import { isISO8601, ValidateBy, ValidationOptions } from 'class-validator';

/** A calendar date, or a date-time with an explicit zone (`Z` or `±hh:mm`): never a local time. */
const TIMESTAMP = /^[1-9]\d{3}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

export function isIsoTimestamp(value: unknown): value is string {
  return typeof value === 'string' && TIMESTAMP.test(value) && isISO8601(value, { strict: true });
}

/**
 * An ISO 8601 timestamp that means one instant wherever the server runs: `2026-01-31` (midnight
 * UTC) or `2026-01-31T12:00:00Z` / `…+02:00`. A date-time without a zone, an impossible date
 * (`2026-02-30`) or a year outside 1000–9999 is refused.
 */
export function IsIsoTimestamp(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoTimestamp',
      validator: {
        validate: (value) => isIsoTimestamp(value),
        defaultMessage: (args) => `${args?.property} must be an ISO 8601 date or date-time with a time zone, e.g. 2026-01-31 or 2026-01-31T12:00:00Z`,
      },
    },
    options,
  );
}
