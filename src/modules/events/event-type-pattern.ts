import { ValidationFailedError } from '../../common/errors';

const SEGMENT = /^(?:\*\*?|[a-z0-9_]+)$/;

/**
 * Translates an event-type filter into SQL: an exact name stays an equality (index-friendly);
 * `*` matches one dot-separated segment and `**` one or more, as the in-process emitter does.
 */
export function typeFilter(pattern: string): { exact: string } | { regex: string } {
  const segments = pattern.split('.');
  if (pattern.length > 200 || !segments.every((segment) => SEGMENT.test(segment))) {
    throw new ValidationFailedError([{ field: 'type', message: 'type must be dot-separated segments of a-z, 0-9 and _, or * (one segment) or ** (any)' }]);
  }
  if (!pattern.includes('*')) return { exact: pattern };
  const parts = segments.map((segment) => (segment === '**' ? '.+' : segment === '*' ? '[^.]+' : segment));
  return { regex: `^${parts.join('\\.')}$` };
}
