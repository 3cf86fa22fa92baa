import { CallHandler, ExecutionContext, Inject, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { from, Observable, switchMap } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { idempotencyConfig, IdempotencyConfig } from '../../config/idempotency.config';
import type { AuthenticatedRequest } from '../auth/ctx.decorator';
import { PROBLEM_CONTENT_TYPE, problemHeaders } from '../errors';
import { ProblemDetailsFilter } from '../errors/problem-details.filter';
import { IdempotencyClaim } from '../persistence/idempotency-claim';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from '../persistence/idempotency.errors';
import { IdempotencyKeys, IdempotencyRecord, StoredResponse } from '../persistence/idempotency-keys';
import { idempotencyKeyOf, REPLAYED_HEADER, requestHash } from './idempotency-key';

/** The headers that are part of an answer, replayed with it (others, like X-Request-Id, are the repeat's own). */
const ANSWER_HEADERS = ['location', 'etag', 'content-location'];
const POLL_MS = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `Idempotency-Key` on POST routes. A request whose key is new runs with the key as its claim: the
 * unit of work inserts the key row in the transaction of the effect (idempotency-claim.ts), and
 * once the handler has answered, the answer is stored on that row. A repeat with the same method,
 * path and body gets that answer again (`Idempotent-Replayed: true`), another request with the key
 * a 422, and a repeat that comes while the first has no answer yet waits for it, then gets a 409.
 * A request that changed nothing (refused, failed, rolled back) leaves no key: fix it and retry.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);
  private readonly problems = new ProblemDetailsFilter();

  constructor(
    private readonly keys: IdempotencyKeys,
    @Inject(idempotencyConfig.KEY) private readonly config: IdempotencyConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const tenantId = request.context?.tenantId;
    if (request.method !== 'POST' || tenantId === undefined) return next.handle();
    const key = idempotencyKeyOf(request.headers);
    if (key === undefined) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const claim = new IdempotencyClaim(tenantId, key, requestHash(request.method, request.url, request.body), request.method, request.url, this.config.ttlMs);
    return from(this.keys.find(tenantId, key)).pipe(
      switchMap((found) => (found ? from(this.repeat(claim, found, reply)) : this.first(claim, next, request, reply))),
    );
  }

  /** The first request with the key: runs the handler with the claim, and stores its answer if the claim committed. */
  private first(claim: IdempotencyClaim, next: CallHandler, request: AuthenticatedRequest, reply: FastifyReply): Observable<unknown> {
    const handled = new Observable<unknown>((subscriber) => {
      const subscription = IdempotencyClaim.run(claim, () => next.handle().subscribe(subscriber));
      return () => subscription.unsubscribe();
    });
    return handled.pipe(
      mergeMap(async (body) => {
        await this.store(claim, { status: reply.statusCode, headers: answerHeaders(reply), body: body ?? null });
        return body;
      }),
      catchError((error: unknown) => from(this.afterError(claim, error, request, reply))),
    );
  }

  private async afterError(claim: IdempotencyClaim, error: unknown, request: AuthenticatedRequest, reply: FastifyReply): Promise<unknown> {
    // A concurrent request with the key committed first: this one changed nothing and answers as a repeat.
    if (error instanceof IdempotencyKeyInUseError && !claim.claimed) {
      const found = await this.keys.find(claim.tenantId, claim.key);
      if (found) return this.repeat(claim, found, reply);
    }
    // Something committed before the failure: the key keeps the answer the client got.
    if (claim.claimed) {
      const problem = this.problems.toProblem(error, { instance: request.url, correlationId: String(request.id) });
      await this.store(claim, {
        status: problem.status,
        headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...lowerCased(problemHeaders(problem)) },
        body: problem,
      });
    }
    throw error;
  }

  /** A request whose key is taken: the first answer again, once there is one; 422 if it is another request. */
  private async repeat(claim: IdempotencyClaim, found: IdempotencyRecord, reply: FastifyReply): Promise<unknown> {
    if (found.requestHash !== claim.requestHash) throw new IdempotencyKeyReusedError(found);
    const response = found.response ?? (await this.awaitResponse(claim));
    if (!response) throw new IdempotencyKeyInUseError(Math.max(1, Math.ceil(this.config.waitMs / 1000)));
    void reply.status(response.status).headers({ ...response.headers, [REPLAYED_HEADER]: 'true' });
    return response.body ?? undefined;
  }

  /** Waits up to IDEMPOTENCY_WAIT_MS for the first request's answer to be stored. */
  private async awaitResponse(claim: IdempotencyClaim): Promise<StoredResponse | undefined> {
    const deadline = Date.now() + this.config.waitMs;
    while (Date.now() < deadline) {
      await sleep(POLL_MS);
      const found = await this.keys.find(claim.tenantId, claim.key);
      if (found?.response) return found.response;
      if (!found) return undefined;
    }
    return undefined;
  }

  /** Stores the answer if the request's effect committed with its key. A failure to store is logged: the effect stands. */
  private async store(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    if (!claim.claimed) return;
    try {
      await this.keys.saveResponse(claim, response);
    } catch (error) {
      this.logger.error({ err: error }, `The answer to a request with an Idempotency-Key was not stored: its repeats will get 409 until the key expires`);
    }
  }
}

function answerHeaders(reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of ANSWER_HEADERS) {
    const value = reply.getHeader(name);
    if (value !== undefined) headers[name] = String(value);
  }
  return headers;
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
