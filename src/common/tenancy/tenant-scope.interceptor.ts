import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { AuthenticatedRequest } from '../auth/ctx.decorator';
import { TenantScope } from './tenant-scope';

/**
 * Runs each authenticated request's handler inside its tenant's scope. Interceptors run after the
 * guards, so the API key has been verified (in the system scope) and the tenant is known.
 */
@Injectable()
export class TenantScopeInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const tenantId = context.getType() === 'http' ? context.switchToHttp().getRequest<AuthenticatedRequest>().context?.tenantId : undefined;
    if (!tenantId) return next.handle();
    return new Observable((subscriber) => TenantScope.run(tenantId, () => next.handle().subscribe(subscriber)));
  }
}
