import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { rateLimitConfig, RateLimitConfig } from '../../config/rate-limit.config';
import type { AuthenticatedRequest } from '../auth/ctx.decorator';
import { RateLimitedError } from '../errors';

/** Intake and every bulk route: the writes that cost the most per request share the stricter budget. */
export function isStrictRoute(request: FastifyRequest): boolean {
  const route = request.routeOptions.url ?? '';
  return route.endsWith('/bulk') || (request.method === 'POST' && route.endsWith('/service-calls'));
}

/**
 * @nestjs/throttler's guard counting per API key (its id; by client IP when no key authenticated
 * the request), in two budgets: intake and bulk routes, and everything else. It is registered
 * after ApiKeyGuard (see RateLimitModule), so the key is known when it runs.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(): Promise<boolean> {
    return !this.config.enabled;
  }

  protected override async getTracker(request: AuthenticatedRequest): Promise<string> {
    return request.apiKeyId ? `key:${request.apiKeyId}` : `ip:${request.ip}`;
  }

  protected override generateKey(context: ExecutionContext, tracker: string): string {
    return `${isStrictRoute(context.switchToHttp().getRequest()) ? 'strict' : 'default'}:${tracker}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedError(detail.limit, detail.ttl, detail.timeToBlockExpire);
  }
}
