import { randomUUID } from 'node:crypto';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Ctx } from '../../src/common/auth/ctx.decorator';
import type { RequestContext } from '../../src/common/auth/request-context';
import { UnitOfWork } from '../../src/common/persistence/unit-of-work';
import { TenantScope } from '../../src/common/tenancy/tenant-scope';
import { expectProblem } from '../utils/problems';
import { createTenant, createTestApp, TestApp } from '../utils/test-app';
import { waitFor } from '../utils/wait';

const LOG_LEVEL = process.env.DEBUG_LOG_LEVEL ?? 'silent';
const LIMIT_MS = 200;
/** Longer than the limit: the handlers below dawdle this long. */
const DAWDLE_MS = 600;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How each handler ended, by the agent name it was asked to write: 'returned' or the class of the error (TypeORM's cause, if it wrapped one). */
const outcomes = new Map<string, string>();

async function recordOutcome(name: string, work: () => Promise<unknown>): Promise<{ name: string }> {
  try {
    await work();
    outcomes.set(name, 'returned');
    return { name };
  } catch (error) {
    const cause = (error as { driverError?: Error }).driverError ?? (error as Error);
    outcomes.set(name, cause.constructor.name);
    throw error;
  }
}

function insertAgent(manager: EntityManager, ctx: RequestContext, name: string, from = ''): Promise<unknown> {
  return manager.query(`INSERT INTO agents (id, tenant_id, name, role, created_by, updated_by) SELECT $1::uuid, $2, $3, 'worker', $4, $4 ${from}`, [
    randomUUID(),
    ctx.tenantId,
    name,
    ctx.actorId,
  ]);
}

@Controller('deadline')
class DeadlineController {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly dataSource: DataSource,
  ) {}

  /** Writes in a transaction, then dawdles past the limit before the commit. */
  @Post('before-commit')
  beforeCommit(@Ctx() ctx: RequestContext, @Body() body: { name: string }) {
    return recordOutcome(body.name, () =>
      this.unitOfWork.run(ctx, async (tx) => {
        await insertAgent(tx.manager, ctx, body.name);
        await sleep(DAWDLE_MS);
      }),
    );
  }

  /** Dawdles past the limit, then writes outside a transaction. */
  @Post('after-limit')
  afterLimit(@Ctx() ctx: RequestContext, @Body() body: { name: string }) {
    return recordOutcome(body.name, async () => {
      await sleep(DAWDLE_MS);
      await insertAgent(this.dataSource.manager, ctx, body.name);
    });
  }

  /** One write outside a transaction whose statement itself outlasts the limit. */
  @Post('slow-write')
  slowWrite(@Ctx() ctx: RequestContext, @Body() body: { name: string }) {
    return recordOutcome(body.name, () => insertAgent(this.dataSource.manager, ctx, body.name, `FROM pg_sleep(${DAWDLE_MS / 1000})`));
  }

  /** A transaction whose COMMIT is under way when the time is up: a deferred check makes the COMMIT itself slow. */
  @Post('slow-commit')
  slowCommit(@Ctx() ctx: RequestContext, @Body() body: { name: string }) {
    return recordOutcome(body.name, () =>
      this.unitOfWork.run(ctx, async (tx) => {
        await tx.manager.query(
          `CREATE OR REPLACE FUNCTION pg_temp.dawdle() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(${DAWDLE_MS / 1000}); RETURN NULL; END $$`,
        );
        await tx.manager.query(`CREATE TEMP TABLE slow_commit (id int) ON COMMIT DROP`);
        await tx.manager.query(
          `CREATE CONSTRAINT TRIGGER slow_commit_check AFTER INSERT ON slow_commit DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pg_temp.dawdle()`,
        );
        await tx.manager.query(`INSERT INTO slow_commit VALUES (1)`);
        await insertAgent(tx.manager, ctx, body.name);
      }),
    );
  }
}

@Module({ controllers: [DeadlineController] })
class DeadlineModule {}

describe('a request past REQUEST_TIMEOUT_MS', () => {
  let t: TestApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    // Statements themselves are not cut here (DATABASE_STATEMENT_TIMEOUT_MS=0): this is the deadline's own behaviour.
    t = await createTestApp({ LOG_LEVEL, REQUEST_TIMEOUT_MS: String(LIMIT_MS), DATABASE_STATEMENT_TIMEOUT_MS: '0' }, [DeadlineModule]);
    auth = (await createTenant(t.app)).auth;
  });
  afterAll(() => t.close());

  const agentsNamed = async (name: string): Promise<number> =>
    Number((await t.owner.query('SELECT count(*)::int AS n FROM agents WHERE name = $1', [name]))[0].n);
  const outcomeOf = (name: string) => waitFor(`the handler writing ${name} to end`, async () => outcomes.get(name));

  it('is answered 503 and rolled back when its transaction had not committed', async () => {
    const name = `before-commit-${randomUUID()}`;
    const res = await t.http().post('/api/v1/deadline/before-commit').set(auth).send({ name });
    const body = expectProblem(res, 503, 'REQUEST_TIMEOUT');
    expect(body.detail).toMatch(/nothing changed/);

    expect(await outcomeOf(name)).toBe('RequestAbandonedError');
    expect(await agentsNamed(name)).toBe(0);
  });

  it('is answered 503 and sends nothing more to the database once abandoned', async () => {
    const name = `after-limit-${randomUUID()}`;
    expectProblem(await t.http().post('/api/v1/deadline/after-limit').set(auth).send({ name }), 503, 'REQUEST_TIMEOUT');

    expect(await outcomeOf(name)).toBe('RequestAbandonedError');
    expect(await agentsNamed(name)).toBe(0);
  });

  it('answers, late, with what happened when a write outside a transaction was under way at the limit', async () => {
    const name = `slow-write-${randomUUID()}`;
    const res = await t.http().post('/api/v1/deadline/slow-write').set(auth).send({ name });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name });
    expect(outcomes.get(name)).toBe('returned');
    expect(await agentsNamed(name)).toBe(1);
  });

  it('answers, late, with what happened when a COMMIT was under way at the limit', async () => {
    const name = `slow-commit-${randomUUID()}`;
    const res = await t.http().post('/api/v1/deadline/slow-commit').set(auth).send({ name });
    expect(res.status).toBe(201);
    expect(outcomes.get(name)).toBe('returned');
    expect(await agentsNamed(name)).toBe(1);
  });

  it('leaves no connection idle in a transaction, and the next requests are served', async () => {
    for (let i = 0; i < 3; i++) {
      expectProblem(
        await t
          .http()
          .post('/api/v1/deadline/before-commit')
          .set(auth)
          .send({ name: `again-${randomUUID()}` }),
        503,
        'REQUEST_TIMEOUT',
      );
    }
    await waitFor('every abandoned transaction to be rolled back', async () => {
      const [{ n }] = await t.owner.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      return n === 0;
    });
    const created = await t.http().post('/api/v1/agents').set(auth).send({ name: 'after-timeouts', role: 'worker' }).expect(201);
    await t.http().get(`/api/v1/agents/${created.body.id}`).set(auth).expect(200);
  });
});

describe('a statement past DATABASE_STATEMENT_TIMEOUT_MS', () => {
  let t: TestApp;
  let auth: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL, REQUEST_TIMEOUT_MS: '20000', DATABASE_STATEMENT_TIMEOUT_MS: String(LIMIT_MS) }, [DeadlineModule]);
    auth = (await createTenant(t.app)).auth;
  });
  afterAll(() => t.close());

  it('is cancelled by PostgreSQL: 503 REQUEST_TIMEOUT, nothing saved, nothing left running', async () => {
    const name = `slow-write-${randomUUID()}`;
    const res = await t.http().post('/api/v1/deadline/slow-write').set(auth).send({ name });
    const body = expectProblem(res, 503, 'REQUEST_TIMEOUT');
    expect(body.detail).toMatch(/DATABASE_STATEMENT_TIMEOUT_MS/);
    expect(await t.owner.query('SELECT count(*)::int AS n FROM agents WHERE name = $1', [name])).toEqual([{ n: 0 }]);
    expect(
      await t.owner.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND datname = current_database() AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`,
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('bounds only request work: the same connections serve work outside requests (a job, say) without the limit', async () => {
    const dataSource = t.app.get(DataSource);
    await TenantScope.run('background-work', () => dataSource.query(`SELECT pg_sleep(${(2 * LIMIT_MS) / 1000})`));
    await t.http().get('/api/v1/agents').set(auth).expect(200);
  });
});
