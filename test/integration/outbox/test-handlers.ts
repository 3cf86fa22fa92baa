import { Inject, Module } from '@nestjs/common';
import type Redis from 'ioredis';
import { IsString } from 'class-validator';
import { AgentsModule } from '../../../src/modules/agents/agents.module';
import { AgentsService } from '../../../src/modules/agents/agents.service';
import { REDIS_CLIENT } from '../../../src/redis/redis.module';
import {
  PermanentPersistenceError,
  PersistContext,
  PersistedObject,
  PersistenceHandler,
  PersistenceHandlerContract,
} from '../../../src/modules/outbox/persistence-handler';

export class FlakyResult {
  @IsString()
  name: string;
}

/** Fails the first two attempts of every call, then registers an agent named after the result. */
@PersistenceHandler({ namespace: 'test', schema: 'flaky@1', resultType: FlakyResult })
export class FlakyHandler implements PersistenceHandlerContract<FlakyResult> {
  readonly attempts = new Map<string, number>();

  constructor(private readonly agents: AgentsService) {}

  async persist(result: FlakyResult, ctx: PersistContext): Promise<PersistedObject> {
    const attempt = (this.attempts.get(ctx.callId) ?? 0) + 1;
    this.attempts.set(ctx.callId, attempt);
    // Write first, then fail: the rollback must take the write away.
    const agent = await this.agents.registerIn(ctx.tx, { name: result.name, role: 'flaky' });
    if (attempt <= 2) throw new Error(`transient failure ${attempt}`);
    return { type: 'agent', id: agent.id };
  }
}

/** Always fails in a way no retry can fix. */
@PersistenceHandler({ namespace: 'test', schema: 'doomed@1' })
export class DoomedHandler implements PersistenceHandlerContract {
  calls = 0;

  async persist(): Promise<PersistedObject> {
    this.calls++;
    throw new PermanentPersistenceError('this result can never be persisted');
  }
}

/**
 * Fails for a tenant until `heal(tenant)`: for dead-letter and redrive tests. The healed tenants
 * are kept in Redis, not in the process: test files share one database, and any of their workers
 * may drain another file's records, so every process must agree on which results still fail.
 */
@PersistenceHandler({ namespace: 'test', schema: 'broken@1' })
export class BrokenHandler implements PersistenceHandlerContract {
  constructor(
    private readonly agents: AgentsService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
  ) {}

  async heal(...tenantIds: string[]): Promise<void> {
    for (const tenantId of tenantIds) await this.redis.set(healedKey(tenantId), '1', 'EX', 3600);
  }

  async persist(_result: unknown, ctx: PersistContext): Promise<PersistedObject> {
    if (!(await this.redis.exists(healedKey(ctx.tx.context.tenantId)))) throw new Error('downstream is broken');
    const agent = await this.agents.registerIn(ctx.tx, { name: `healed-${ctx.callId}`, role: 'healed' });
    return { type: 'agent', id: agent.id };
  }
}

const healedKey = (tenantId: string) => `test-handlers:healed:${tenantId}`;

@Module({ imports: [AgentsModule], providers: [FlakyHandler, DoomedHandler, BrokenHandler] })
export class TestHandlersModule {}
