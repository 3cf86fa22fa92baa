import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, UseGuards } from '@nestjs/common';
import { ApiProblems } from '../http/api-problems.decorator';
import { appConfig, AppConfig } from '../../config/app.config';
import { ErrorCode, ForbiddenError } from '../errors';
import { AuthenticatedRequest } from './ctx.decorator';

/**
 * Lets through only the keys of the admin tenants (ADMIN_TENANTS), as the queue board does: the
 * routes behind it see and change every tenant's rows. Runs after ApiKeyGuard (a global guard),
 * so the caller is authenticated (401 otherwise) before being refused (403).
 */
@Injectable()
export class AdminTenantsGuard implements CanActivate {
  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const tenantId = context.switchToHttp().getRequest<AuthenticatedRequest>().context?.tenantId;
    if (tenantId !== undefined && this.config.adminTenants.includes(tenantId)) return true;
    throw new ForbiddenError('This route is open to the keys of the admin tenants (ADMIN_TENANTS) only');
  }
}

/** Marks a controller or route as admin-only (see AdminTenantsGuard), documented as such. */
export function AdminTenantsOnly(): ClassDecorator & MethodDecorator {
  return applyDecorators(UseGuards(AdminTenantsGuard), ApiProblems(ErrorCode.Forbidden));
}
