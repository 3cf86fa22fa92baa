import { ErrorCode } from './error-codes';
import { ERROR_STATUS, ERROR_TITLE } from './problem-catalog';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** RFC 9457 problem details, with this service's `code` and `correlationId` members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  correlationId?: string;
  [extension: string]: unknown;
}

export function problemType(code: ErrorCode): string {
  return `urn:agent-ledger:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function buildProblem(
  code: ErrorCode,
  detail: string,
  options: { status?: number; instance?: string; correlationId?: string; extensions?: Record<string, unknown> } = {},
): ProblemDetails {
  return {
    ...options.extensions,
    type: problemType(code),
    title: ERROR_TITLE[code],
    status: options.status ?? ERROR_STATUS[code],
    detail,
    code,
    instance: options.instance,
    correlationId: options.correlationId,
  };
}

/** Headers a problem implies: `Retry-After` for a refusal that says when to come back. */
export function problemHeaders(problem: ProblemDetails): Record<string, string> {
  return typeof problem.retryAfterSeconds === 'number' ? { 'Retry-After': String(problem.retryAfterSeconds) } : {};
}
