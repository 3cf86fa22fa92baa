import { Module } from '@nestjs/common';
import { IsString } from 'class-validator';
import { AgentsModule } from '../../../src/modules/agents/agents.module';
import { AgentsService } from '../../../src/modules/agents/agents.service';
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

/** Fails until `healed` is set: for dead-letter and redrive tests. */
@PersistenceHandler({ namespace: 'test', schema: 'broken@1' })
export class BrokenHandler implements PersistenceHandlerContract {
  healed = false;

  constructor(private readonly agents: AgentsService) {}

  async persist(_result: unknown, ctx: PersistContext): Promise<PersistedObject> {
    if (!this.healed) throw new Error('downstream is broken');
    const agent = await this.agents.registerIn(ctx.tx, { name: `healed-${ctx.callId}`, role: 'healed' });
    return { type: 'agent', id: agent.id };
  }
}

@Module({ imports: [AgentsModule], providers: [FlakyHandler, DoomedHandler, BrokenHandler] })
export class TestHandlersModule {}
