import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { appConfig, AppConfig } from '../../config/app.config';
import { BadRequestError, UnauthenticatedError } from '../errors';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { AuthenticatedRequest } from './ctx.decorator';
import { IS_PUBLIC } from './public.decorator';
import { DEFAULT_TENANT, RequestContext } from './request-context';

const ACTOR_ID = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

/** Reads `Authorization: Bearer <key>` or `X-API-Key`, and sets the request's tenant and actor. */
export function presentedKey(headers: AuthenticatedRequest['headers']): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey.trim() : undefined;
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(appConfig.KEY) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.context = await this.resolve(request);
    return true;
  }

  private async resolve(request: AuthenticatedRequest): Promise<RequestContext> {
    const actorHeader = request.headers['x-actor-id'];
    if (actorHeader !== undefined && (typeof actorHeader !== 'string' || !ACTOR_ID.test(actorHeader))) {
      throw new BadRequestError('X-Actor-Id must be 1-200 printable ASCII characters');
    }
    const correlationId = String(request.id);
    if (this.config.auth === 'off') {
      return { tenantId: DEFAULT_TENANT, actorId: actorHeader ?? 'anonymous', correlationId };
    }
    const key = presentedKey(request.headers);
    const identity = await this.authenticator.authenticate(key, request.ip);
    if (!key) throw new UnauthenticatedError('Send an API key as "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    if (!identity) throw new UnauthenticatedError('The API key is unknown, revoked or expired');
    request.apiKeyId = identity.id;
    return { tenantId: identity.tenantId, actorId: actorHeader ?? identity.name, correlationId };
  }
}
