import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BadRequestError, PreconditionRequiredError } from '../errors';

const ETAG = /^(?:W\/)?"(\d{1,10})"$/;
/** Versions are PostgreSQL integers. */
export const MAX_VERSION = 2_147_483_647;

/**
 * The version the caller last saw, from `If-Match: "<version>"` or else `version` in the body.
 * Neither → 428, so no update is ever applied blind.
 */
export function parseExpectedVersion(ifMatch: string | undefined, bodyVersion: unknown): number {
  if (ifMatch !== undefined) {
    const match = ETAG.exec(ifMatch.trim());
    if (!match || Number(match[1]) > MAX_VERSION) throw new BadRequestError('If-Match must be the ETag of the resource, e.g. "3"');
    return Number(match[1]);
  }
  if (bodyVersion !== undefined) {
    if (typeof bodyVersion !== 'number' || !Number.isInteger(bodyVersion) || bodyVersion < 1 || bodyVersion > MAX_VERSION) {
      throw new BadRequestError(`version must be an integer from 1 to ${MAX_VERSION}`);
    }
    return bodyVersion;
  }
  throw new PreconditionRequiredError('Send If-Match: "<version>" (the ETag you read) or "version" in the body');
}

export const ExpectedVersion = createParamDecorator((_: unknown, ctx: ExecutionContext): number => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const body = request.body as { version?: unknown } | undefined;
  return parseExpectedVersion(request.headers['if-match'], body?.version);
});

/** `If-Match` when the caller sent one (guarded delete), else undefined. */
export const OptionalExpectedVersion = createParamDecorator((_: unknown, ctx: ExecutionContext): number | undefined => {
  const ifMatch = ctx.switchToHttp().getRequest<FastifyRequest>().headers['if-match'];
  return ifMatch === undefined ? undefined : parseExpectedVersion(ifMatch, undefined);
});
