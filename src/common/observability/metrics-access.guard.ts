import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { appConfig, AppConfig } from '../../config/app.config';
import { metricsConfig, MetricsConfig } from '../../config/metrics.config';
import { adminKey } from '../auth/admin-auth.hook';
import { ApiKeyAuthenticator } from '../auth/api-key-authenticator';
import { AuthenticatedRequest } from '../auth/ctx.decorator';
import { ForbiddenError, UnauthenticatedError } from '../errors';

const digest = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/**
 * With METRICS_AUTH on, `/metrics` answers only to METRICS_TOKEN (as a bearer token, checked
 * without the database, so a scraper keeps its view during a PostgreSQL outage) or to an API key
 * of an admin tenant (ADMIN_TENANTS), as the queue board does: the gauges are across tenants.
 */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  private readonly token?: Buffer;

  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {
    this.token = config.token === undefined ? undefined : digest(config.token);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.config.auth) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const presented = adminKey(request.headers);
    if (presented === undefined) {
      throw new UnauthenticatedError('/metrics needs METRICS_TOKEN or an admin tenant’s API key, as "Authorization: Bearer <token>"');
    }
    if (this.token && timingSafeEqual(digest(presented), this.token)) return true;
    const identity = await this.authenticator.authenticate(presented, request.ip);
    if (!identity) throw new UnauthenticatedError('The token or API key is unknown, revoked or expired');
    if (!this.app.adminTenants.includes(identity.tenantId)) {
      throw new ForbiddenError('/metrics is open to METRICS_TOKEN and the keys of the admin tenants (ADMIN_TENANTS) only');
    }
    return true;
  }
}
