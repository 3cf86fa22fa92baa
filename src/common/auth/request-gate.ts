import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appConfig, AppConfig } from '../../config/app.config';
import { rateLimitConfig, RateLimitConfig } from '../../config/rate-limit.config';
import {
  BadRequestError,
  buildProblem,
  DomainError,
  ErrorCode,
  ForbiddenError,
  PROBLEM_CONTENT_TYPE,
  problemHeaders,
  RateLimitedError,
  UnauthenticatedError,
} from '../errors';
import type { KeyedIncomingMessage } from '../http/request-log';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { presentedKey } from './api-key.guard';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyIdentity } from './api-keys.service';
import { AuthenticatedRequest } from './ctx.decorator';
import { DEFAULT_TENANT, RequestContext } from './request-context';

const ACTOR_ID = /^[\x21-\x7e][\x20-\x7e]{0,199}$/;

/** Intake and every bulk route: the writes that cost the most per request share the stricter budget. */
export function isStrictRoute(request: FastifyRequest): boolean {
  const route = request.routeOptions.url ?? '';
  return route.endsWith('/bulk') || (request.method === 'POST' && route.endsWith('/service-calls'));
}

/** Whether the request came with a body (which an early refusal leaves unread). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

/** Notes the key that authenticated a request: rate limits count by it, and the request log names it. */
export function markAuthenticated(request: AuthenticatedRequest, identity: ApiKeyIdentity): void {
  request.apiKeyId = identity.id;
  (request.raw as KeyedIncomingMessage).apiKeyId = identity.id;
}

/** Answers a refused request with its problem+json, from a Fastify hook (before Nest's filter could). */
export async function replyWithProblem(request: FastifyRequest, reply: FastifyReply, error: DomainError, headers: Record<string, string> = {}): Promise<void> {
  const problem = buildProblem(error.code, error.message, { instance: request.url, correlationId: String(request.id), extensions: error.extensions });
  if (error.code === ErrorCode.Unauthenticated && !headers['WWW-Authenticate']) headers['WWW-Authenticate'] = 'Bearer realm="agent-ledger"';
  // An unread body is not drained: the connection closes after the answer.
  if (hasBody(request)) headers.Connection = 'close';
  await reply
    .status(problem.status)
    .headers({ ...problemHeaders(problem), ...headers })
    .header('Content-Type', PROBLEM_CONTENT_TYPE)
    .send(problem);
}

/**
 * What every API request passes before anything else is done for it, in Fastify's first hook
 * (onRequest), so that a refused request costs neither the reading nor the parsing of its body:
 * the caller's address budget of failed authentications, its API key (or AUTH=off), then its rate
 * limit. It leaves the caller's tenant and actor on the request for the handlers.
 */
@Injectable()
export class RequestGate {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly limiter: RateLimiter,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(rateLimitConfig.KEY) private readonly rateLimit: RateLimitConfig,
  ) {}

  /** The Fastify hook: lets the request through, or answers 400/401/403/429 without reading its body. */
  readonly hook = (request: FastifyRequest, reply: FastifyReply): Promise<void> => refusing(request, reply, () => this.admit(request, reply));

  /**
   * A Fastify hook that only counts the request against the rate limits, by the key an earlier hook
   * of the route authenticated, else by the client address: for the API documentation and the admin
   * UI, which authenticate (or not) on their own. 429 past the budget.
   */
  readonly countHook = (request: FastifyRequest, reply: FastifyReply): Promise<void> => refusing(request, reply, () => this.count(request, reply));

  /** Authenticates and counts the request (throws the refusal as a DomainError); sets its context. */
  async admit(request: AuthenticatedRequest, reply: FastifyReply): Promise<void> {
    if (request.context) return;
    request.context = await this.authenticate(request);
    await this.count(request, reply);
  }

  private async authenticate(request: AuthenticatedRequest): Promise<RequestContext> {
    const actorHeader = request.headers['x-actor-id'];
    if (actorHeader !== undefined && (typeof actorHeader !== 'string' || !ACTOR_ID.test(actorHeader))) {
      throw new BadRequestError('X-Actor-Id must be 1-200 printable ASCII characters');
    }
    const correlationId = String(request.id);
    if (this.app.auth === 'off') return { tenantId: DEFAULT_TENANT, actorId: actorHeader ?? 'anonymous', keyId: null, correlationId };
    const key = presentedKey(request.headers);
    const identity = await this.authenticator.authenticate(key, request.ip);
    if (!key) throw new UnauthenticatedError('Send an API key as "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    if (!identity) throw new UnauthenticatedError('The API key is unknown, revoked or expired');
    markAuthenticated(request, identity);
    if (actorHeader !== undefined && actorHeader !== identity.name && !identity.actorOverride) {
      throw new ForbiddenError(`This API key acts as "${identity.name}" only (created with --no-actor-override): send no X-Actor-Id, or its own name`);
    }
    return { tenantId: identity.tenantId, actorId: actorHeader ?? identity.name, keyId: identity.id, correlationId };
  }

  /** Per API key (by client address when no key authenticated it), in two budgets: strict routes and the rest. */
  private async count(request: AuthenticatedRequest, reply: FastifyReply): Promise<void> {
    if (!this.rateLimit.enabled) return;
    const strict = isStrictRoute(request);
    const tracker = request.apiKeyId ? `key:${request.apiKeyId}` : `ip:${request.ip}`;
    const limit = strict ? this.rateLimit.strictLimit : this.rateLimit.defaultLimit;
    const decision = await this.limiter.admit(`${strict ? 'strict' : 'default'}:${tracker}`, limit, this.rateLimit.windowMs);
    const resetSeconds = Math.max(1, Math.ceil(decision.resetMs / 1000));
    if (!decision.allowed) throw new RateLimitedError(limit, this.rateLimit.windowMs, resetSeconds);
    void reply.header('X-RateLimit-Limit', limit).header('X-RateLimit-Remaining', decision.remaining).header('X-RateLimit-Reset', resetSeconds);
  }
}

/** Runs `check`; a refusal it throws (a DomainError) is answered as problem+json from the hook. */
async function refusing(request: FastifyRequest, reply: FastifyReply, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await replyWithProblem(request, reply, error);
  }
}
