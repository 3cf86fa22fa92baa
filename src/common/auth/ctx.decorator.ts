import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { RequestContext } from './request-context';

export interface AuthenticatedRequest extends FastifyRequest {
  context?: RequestContext;
  /** Id of the API key that authenticated the request (never the key): what rate limits count by. */
  apiKeyId?: string;
}

/** Injects the caller's tenant, actor and correlation id, set by ApiKeyGuard. */
export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => {
  const context = ctx.switchToHttp().getRequest<AuthenticatedRequest>().context;
  if (!context) throw new Error('No request context: is the route behind ApiKeyGuard?');
  return context;
});
