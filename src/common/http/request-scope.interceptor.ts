import { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/ctx.decorator';
import { TenantScope } from '../tenancy/tenant-scope';
import { RequestDeadline, RequestTimeoutError } from './request-deadline';

/**
 * Runs each request's handler in its scope: its tenant's, so row-level security filters every
 * statement (interceptors run after the guards: the API key is verified and the tenant known),
 * and its deadline. Past the time limit the request is answered 503 REQUEST_TIMEOUT and
 * abandoned, unless something it did may already be saved (see RequestDeadline): then it answers,
 * late, with what happened.
 */
export class RequestScopeInterceptor implements NestInterceptor {
  constructor(
    private readonly timeoutMs: number,
    private readonly statementTimeoutMs = 0,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const tenantId = context.getType() === 'http' ? context.switchToHttp().getRequest<AuthenticatedRequest>().context?.tenantId : undefined;
    return new Observable((subscriber) => {
      const deadline = new RequestDeadline(() => subscriber.error(new RequestTimeoutError(this.timeoutMs)), this.statementTimeoutMs);
      const timer = setTimeout(() => deadline.expire(), this.timeoutMs);
      const handling = TenantScope.request(tenantId, deadline, () => next.handle().subscribe(subscriber));
      return () => {
        clearTimeout(timer);
        handling.unsubscribe();
      };
    });
  }
}
