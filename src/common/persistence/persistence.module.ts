import { Global, Module } from '@nestjs/common';
import { IdempotencyKeys } from './idempotency-keys';
import { UnitOfWork } from './unit-of-work';

@Global()
@Module({ providers: [UnitOfWork, IdempotencyKeys], exports: [UnitOfWork, IdempotencyKeys] })
export class PersistenceModule {}
