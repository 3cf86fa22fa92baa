import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyInvalidations, RedisApiKeyInvalidations } from './api-key-invalidations';
import { ApiKeyUsage } from './api-key-usage';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeysService } from './api-keys.service';
import { RequestGate } from './request-gate';

@Global()
@Module({
  providers: [
    ApiKeysRepository,
    ApiKeysService,
    ApiKeyAuthenticator,
    ApiKeyUsage,
    RequestGate,
    { provide: ApiKeyInvalidations, useClass: RedisApiKeyInvalidations },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
  ],
  exports: [ApiKeysService, ApiKeyAuthenticator, RequestGate],
})
export class AuthModule {}
