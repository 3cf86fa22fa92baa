import { ApiResponse } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../errors';
import { problemContent } from './openapi/problems';

const PROBLEM_CODES = 'agent-ledger:problem-codes';

/**
 * Documents the error codes a route (or every route of a controller) can answer with, beyond the
 * ones every route shares: per status, one of the codes' schemas, with an example of each
 * (openapi/problems.ts). Several uses on one target add up.
 */
export function ApiProblems(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder: object = descriptor ? (descriptor.value as object) : target;
    const all = [...new Set([...((Reflect.getMetadata(PROBLEM_CODES, holder) as ErrorCode[] | undefined) ?? []), ...codes])];
    Reflect.defineMetadata(PROBLEM_CODES, all, holder);
    for (const status of new Set(codes.map((code) => ERROR_STATUS[code]))) {
      const ofStatus = all.filter((code) => ERROR_STATUS[code] === status);
      // The description is rendered from the codes by documentProblems, once every pass has added its own.
      ApiResponse({ status, description: '', content: problemContent(ofStatus) })(target, key!, descriptor!);
    }
  };
}
