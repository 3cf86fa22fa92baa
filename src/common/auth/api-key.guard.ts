import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { AuthenticatedRequest } from './ctx.decorator';
import { IS_PUBLIC } from './public.decorator';
import { RequestGate } from './request-gate';

/** Reads `Authorization: Bearer <key>` or `X-API-Key`. */
export function presentedKey(headers: AuthenticatedRequest['headers']): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey.trim() : undefined;
}

/**
 * The guard behind every non-public route. API routes pass RequestGate in Fastify's first hook
 * (before their body is read), so here they are already authenticated and counted; a route the
 * hook does not cover is gated here instead.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly gate: RequestGate,
  ) {}

  /** Synchronous for a request the hook admitted (every API request): no promise, no lookup of the route's metadata. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    if (request.context) return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    return this.gate.admit(request, http.getResponse<FastifyReply>()).then(() => true);
  }
}
