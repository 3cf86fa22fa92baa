import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { rateLimitConfig, RateLimitConfig } from '../../config/rate-limit.config';
import type { AuthenticatedRequest } from '../auth/ctx.decorator';
import { RateLimitedError } from '../errors';
import { RateLimiter } from './rate-limiter';

/** Routes marked `@SkipThrottle()` (health, metrics) are never limited. */
const SKIP = 'THROTTLER:SKIPdefault';

/** Intake and every bulk route: the writes that cost the most per request share the stricter budget. */
export function isStrictRoute(request: FastifyRequest): boolean {
  const route = request.routeOptions.url ?? '';
  return route.endsWith('/bulk') || (request.method === 'POST' && route.endsWith('/service-calls'));
}

/**
 * Counts each request against its caller's budget: per API key (its id; by client IP when no key
 * authenticated the request), in two budgets: intake and bulk routes, and everything else. It is
 * registered after ApiKeyGuard (see RateLimitModule), so the key is known when it runs. The count
 * is kept by RateLimiter, which costs no Redis round trip per request.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.enabled || context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(SKIP, [context.getHandler(), context.getClass()])) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const strict = isStrictRoute(request);
    const tracker = request.apiKeyId ? `key:${request.apiKeyId}` : `ip:${request.ip}`;
    const limit = strict ? this.config.strictLimit : this.config.defaultLimit;
    const decision = await this.limiter.admit(`${strict ? 'strict' : 'default'}:${tracker}`, limit, this.config.windowMs);
    const resetSeconds = Math.max(1, Math.ceil(decision.resetMs / 1000));
    if (!decision.allowed) throw new RateLimitedError(limit, this.config.windowMs, resetSeconds);
    void http
      .getResponse<FastifyReply>()
      .header('X-RateLimit-Limit', limit)
      .header('X-RateLimit-Remaining', decision.remaining)
      .header('X-RateLimit-Reset', resetSeconds);
    return true;
  }
}
