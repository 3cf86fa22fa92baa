import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { getQueueToken } from '@nestjs/bullmq';
import { ModuleMetadata, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { createLogging } from './common/logging/logging';
import { adminAuthHook } from './common/auth/admin-auth.hook';
import { ApiKeyAuthenticator } from './common/auth/api-key-authenticator';
import { RequestGate } from './common/auth/request-gate';
import { buildProblem, ErrorCode, PROBLEM_CONTENT_TYPE, ValidationFailedError } from './common/errors';
import { BULL_BOARD_ROUTE, withoutThirdPartyFonts } from './common/queues/bull-board.module';
import { boardRetryActorHook, isBoardRetryRoute } from './common/queues/board-retry-actor';
import { PERSISTENCE_QUEUE } from './common/queues/queue-names';
import { sendVersionAsETag } from './common/http/etag';
import { answerClientError, createHttpServer, limitRequestsPerClient } from './common/http/http-server';
import { addSecurityHeaders } from './common/http/security-headers';
import { buildOpenApiDocument } from './common/http/openapi/openapi-document';
import { RequestScopeInterceptor } from './common/http/request-scope.interceptor';
import { findUnstorableBody, findUnstorableJson } from './common/http/safe-json';
import { createValidationPipe } from './common/http/validation';
import { AppModule } from './app.module';
import { Config, loadConfig } from './config';
import { instrumentHttp } from './common/observability/http-metrics';

export const API_PREFIX = 'api/v1';
const WORKER_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);
const REQUEST_ID = /^[\w.:-]{1,128}$/;
/** What a browser on an allowed origin may send and read. */
const CORS_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'X-API-Key', 'X-Actor-Id', 'X-Request-Id'];
const CORS_RESPONSE_HEADERS = [
  'ETag',
  'Idempotent-Replayed',
  'Location',
  'Retry-After',
  'X-Request-Id',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

/** The OpenAPI UI and documents: `/docs`, its assets, `/docs-json`, `/docs-yaml`. */
function isDocsRoute(url: string): boolean {
  return url === '/docs' || url.startsWith('/docs/') || url.startsWith('/docs-');
}

/** A request id from X-Request-Id when it is sane, else a fresh uuid; it is the correlation id. */
function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** For answers given before the onRequest hooks run (router errors), which set X-Request-Id otherwise. */
function sendProblem(reply: FastifyReply, request: FastifyRequest, code: ErrorCode, detail: string, status?: number): void {
  void reply
    .status(status ?? 400)
    .header('X-Request-Id', String(request.id))
    .header('Content-Type', PROBLEM_CONTENT_TYPE)
    .send(buildProblem(code, detail, { status, instance: request.url, correlationId: String(request.id) }));
}

/**
 * Builds the HTTP application exactly as `main.ts` serves it (tests and benchmarks use it too):
 * Fastify, JSON-only bodies with per-route limits, problem+json for every error, request ids,
 * metrics, helmet and the OpenAPI document.
 */
export async function createApp(config: Config = loadConfig(), extraImports: ModuleMetadata['imports'] = []): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.app.bodyLimitBytes,
    genReqId: requestId,
    requestIdHeader: false,
    // The client address (per-address limits, logs) comes from X-Forwarded-For only when the peer is a listed proxy.
    trustProxy: config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false,
    // The server is created with its time limits (see createHttpServer); answers to requests that
    // never became one (too slow, malformed) are problem+json too.
    serverFactory: (handler: RequestListener) => createHttpServer(handler, config.http),
    clientErrorHandler: answerClientError,
    // Answered by the router before Nest sees the request: a malformed URL or an over-long parameter.
    frameworkErrors: (error: Error & { code?: string; statusCode?: number }, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(reply, request, ErrorCode.BadRequest, `The request URL is malformed (${error.code})`, error.statusCode ?? 400),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRole(config.app.role, extraImports), adapter, {
    bodyParser: false,
    // Quiet until the JSON logger is attached; a failed start throws, so main.ts prints one line.
    logger: false,
    abortOnError: false,
  });
  const logging = createLogging(config.app);
  app.useLogger(logging.logger);
  const fastify = app.getHttpAdapter().getInstance();
  const { logRequest } = logging;
  if (logRequest) {
    // First of the hooks, so that every answer is logged, also those sent before the body is read.
    fastify.addHook('onRequest', (request, reply, done) => {
      (request.raw as { id?: string }).id = request.id;
      logRequest(request.raw, reply.raw);
      done();
    });
  }

  // JSON only (anything else → 415): Fastify's secure JSON parser, plus a check for what
  // PostgreSQL cannot store (NUL, lone surrogates), for absurd nesting, and for what parsing
  // changed (a number rounded, a key given twice), all → 400 naming the field.
  fastify.removeContentTypeParser(['text/plain', 'application/json']);
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // The default parser is callback-style (it returns nothing to await).
    void parseJson(request, body as string, (error: Error | null, value?: unknown) => {
      if (error) return done(error);
      const problem = findUnstorableBody(body as string, value);
      done(problem ? new ValidationFailedError([problem]) : null, value);
    });
  });
  // Callback-style, as the other hooks of every request: an async hook costs a promise and a turn of the microtask queue.
  fastify.addHook('preValidation', (request, _reply, done) => {
    const problem = findUnstorableJson(request.query) ?? findUnstorableJson(request.params);
    done(problem ? new ValidationFailedError([problem]) : undefined);
  });
  const gate = app.get(RequestGate);
  // Looked up per request: the client's type generator builds the app in preview mode, without providers.
  const countRequest: onRequestAsyncHookHandler = (request, reply) => gate.countHook(request, reply);
  const adminAuth = adminAuthHook(app.get(ApiKeyAuthenticator), 'The admin UI', config.app.adminTenants);
  const docsAuth = adminAuthHook(app.get(ApiKeyAuthenticator), 'The API documentation');
  // Resolved when the board's routes are registered (after the queues exist).
  const retryActor = () => boardRetryActorHook([app.get<Queue>(getQueueToken(PERSISTENCE_QUEUE))]);
  /** The key check of a route outside Nest's guards: the admin UI, and the docs when DOCS_AUTH is on. */
  const keyCheckOf = (url: string) => {
    if (config.app.auth === 'off') return undefined;
    if (url.startsWith(BULL_BOARD_ROUTE)) return adminAuth;
    return config.http.docsAuth && isDocsRoute(url) ? docsAuth : undefined;
  };
  fastify.addHook('onRoute', (route) => {
    if (route.url.endsWith('/bulk')) route.bodyLimit = config.app.bulkBodyLimitBytes;
    // Every route of the UI, whatever its path encoding: the page, its JSON API, actions, assets.
    // The docs and the admin UI count against the rate limits, by key once one authenticated them.
    const keyCheck = keyCheckOf(route.url);
    const counted = config.rateLimit.enabled && (isDocsRoute(route.url) || route.url.startsWith(BULL_BOARD_ROUTE));
    const checks = [...(keyCheck ? [keyCheck] : []), ...(counted ? [countRequest] : [])];
    if (checks.length > 0) route.onRequest = [...checks, ...(route.onRequest ? [route.onRequest].flat() : [])];
    if (keyCheck && isBoardRetryRoute(route.url)) route.preHandler = [retryActor(), ...(route.preHandler ? [route.preHandler].flat() : [])];
    if (route.url.startsWith(BULL_BOARD_ROUTE)) route.onSend = [...(route.onSend ? [route.onSend].flat() : []), withoutThirdPartyFonts];
    // A worker process answers health and metrics only; its feature routes are not served.
    if (config.app.role === 'worker' && !WORKER_ROUTES.has(route.url)) {
      route.handler = async (request, reply) => sendProblem(reply, request, ErrorCode.NotFound, `No route matches ${request.url} on a worker process`, 404);
    }
  });
  addSecurityHeaders(fastify, { publicUrl: config.http.publicUrl, apiPath: `/${API_PREFIX}/` });
  limitRequestsPerClient(fastify, config.http);
  instrumentHttp(fastify);
  sendVersionAsETag(fastify);
  // Every API request is authenticated and counted in its first hook, before its body is read.
  fastify.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.url?.startsWith(`/${API_PREFIX}/`)) await gate.hook(request, reply);
  });

  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
      { path: BULL_BOARD_ROUTE.slice(1), method: RequestMethod.ALL },
    ],
  });
  app.useGlobalPipes(createValidationPipe());
  // Tenant scope and time limit of every handler (after the guards: the tenant is known).
  app.useGlobalInterceptors(new RequestScopeInterceptor(config.http.requestTimeoutMs, config.http.statementTimeoutMs));
  if (config.http.corsOrigins.length > 0) {
    const allowed = new Set(config.http.corsOrigins);
    // A preflight from an origin not listed is not answered as CORS (it falls through to a 404).
    app.enableCors({
      origin: (origin: string | undefined, callback: (error: Error | null, allow: boolean) => void) =>
        callback(null, origin !== undefined && allowed.has(origin)),
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: CORS_REQUEST_HEADERS,
      exposedHeaders: CORS_RESPONSE_HEADERS,
      credentials: false,
      maxAge: 600,
    });
  }

  const document = buildOpenApiDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  // Signals are handled by main.ts (bounded grace period); app.close() runs every shutdown hook.
  return app;
}
