import { Injectable } from '@nestjs/common';
import { AuthFailureBudget } from '../rate-limit/auth-failure-budget';
import { ApiKeyIdentity, ApiKeysService } from './api-keys.service';

/**
 * Authenticates a request's key under its address's budget of failed authentications: every
 * failure (no key, a malformed, unknown, revoked or expired one) is counted, and an address over
 * the budget is refused with 429 before its key is looked up in the database.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    private readonly apiKeys: ApiKeysService,
    private readonly failures: AuthFailureBudget,
  ) {}

  /** The key's identity, or undefined (a failure, counted); throws RateLimitedError over the budget. */
  async authenticate(key: string | undefined, clientIp: string): Promise<ApiKeyIdentity | undefined> {
    const identity = key === undefined ? undefined : await this.apiKeys.verify(key, () => this.failures.assertWithin(clientIp));
    if (!identity) await this.failures.recordFailure(clientIp);
    return identity;
  }
}
