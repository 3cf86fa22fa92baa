import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ApiKeysService } from '../../../src/common/auth/api-keys.service';
import { ALL_QUEUES } from '../../../src/common/queues/queue-names';
import { ScratchDatabase, createScratchDatabase } from '../scratch-database';
import { createTenant, createTestApp, TestApp, TestTenant } from '../test-app';
import { expectCleanAnswer, ForeignData } from './answers';
import { FuzzTargets } from './arbitraries';
import { discoverOperations, Operation } from './openapi';
import { seedTenant } from './seed-tenant';
import { TenantSnapshot, TenantTables } from './tenant-tables';
import { send, WireRequest, WireResponse } from './wire';

/**
 * Nothing may change these tenants' rows behind a request's back, so that "changed nothing" is
 * exact: the app has a database of its own (the workers of other test files drain every due
 * record of the database they serve), serves the API only (no worker) and enqueues under a queue
 * prefix no worker reads.
 */
const QUIET_OUTBOX = { APP_ROLE: 'api', QUEUE_PREFIX: `agent-ledger-fuzz-${process.pid}`, SWEEP_INTERVAL_MS: '3600000' };

/**
 * The app (see QUIET_OUTBOX), its operations and tenant tables, and two seeded tenants: the
 * caller and another whose rows must never be seen or touched. `send` checks what every answer
 * must satisfy.
 */
export class FuzzHarness {
  tenant: TestTenant;
  other: TestTenant;
  foreign: ForeignData;
  /** The digests after the last checked request: nothing else writes these tenants' rows meanwhile. */
  private last?: Record<string, TenantSnapshot>;
  /** Ids of both tenants' rows, until a request writes. */
  private ids?: FuzzTargets;

  private constructor(
    readonly t: TestApp,
    readonly operations: Operation[],
    readonly tables: TenantTables,
    private readonly database: ScratchDatabase,
  ) {}

  static async boot(): Promise<FuzzHarness> {
    const database = await createScratchDatabase('fuzz');
    // /metrics as in production: behind METRICS_AUTH (it counts every tenant's rows).
    const t = await createTestApp({
      DATABASE_URL: database.serviceUrl,
      TEST_DATABASE_URL: database.ownerUrl,
      LOG_LEVEL: process.env.DEBUG_LOG_LEVEL ?? 'silent',
      METRICS_AUTH: 'true',
      METRICS_TOKEN: 'fuzz-metrics-token-0123456789',
      ...QUIET_OUTBOX,
    });
    return new FuzzHarness(t, await discoverOperations(t.app), await TenantTables.discover(t.owner), database);
  }

  /** Two fresh tenants with a few rows of every kind; the other tenant's rows carry a marker. */
  async seed(): Promise<void> {
    this.tenant = await createTenant(this.t.app, 'fuzz-key');
    this.other = await createTenant(this.t.app, 'other-key');
    const marker = `other-tenant-secret-${this.other.tenantId}`;
    await seedTenant(this.t, this.tenant, 'fuzz');
    await seedTenant(this.t, this.other, marker);
    this.foreign = new ForeignData(this.other.tenantId, marker, new Set(Object.values(await this.tables.ids(this.other.tenantId)).flat()));
  }

  async targets(): Promise<FuzzTargets> {
    if (!this.ids) {
      await this.keepKeyWorking();
      this.ids = { key: this.tenant.key, own: await this.tables.ids(this.tenant.tenantId), other: await this.tables.ids(this.other.tenantId) };
    }
    return this.ids;
  }

  /** A generated request may revoke the caller's own key (its id is a row like any other): then it gets a new one. */
  private async keepKeyWorking(): Promise<void> {
    const keys = this.t.app.get(ApiKeysService);
    if (await keys.verify(this.tenant.key)) return;
    const { key } = await keys.create(this.tenant.tenantId, 'fuzz-key');
    this.tenant = { ...this.tenant, key, auth: { Authorization: `Bearer ${key}` } };
    this.last = undefined;
  }

  /**
   * Sends and checks: a clean answer (see expectCleanAnswer), nothing of the other tenant in it,
   * the other tenant's rows untouched, and the caller's rows byte-for-byte unchanged when the
   * request was refused or only read.
   */
  async send(request: WireRequest): Promise<WireResponse> {
    const tenants = [this.tenant.tenantId, this.other.tenantId];
    const before = this.last ?? (await this.tables.snapshot(tenants));
    this.last = undefined;
    this.foreign.noteSent(request);
    const res = await send(this.t.app, request);
    if (res.status < 300 && request.method !== 'GET') this.ids = undefined;
    expectCleanAnswer(res);
    this.foreign.expectAbsentFrom(res);
    const after = await this.tables.snapshot(tenants);
    expect(after[this.other.tenantId], "another tenant's rows changed").toEqual(before[this.other.tenantId]);
    if (res.status >= 400 || request.method === 'GET') {
      expect(after[this.tenant.tenantId], `a ${request.method} answered ${res.status} changed the database: ${res.text.slice(0, 300)}`).toEqual(
        before[this.tenant.tenantId],
      );
    }
    this.last = after;
    return res;
  }

  /** Stops the app, first removing the jobs of its private queues, which no worker will ever take. */
  async close(): Promise<void> {
    for (const name of ALL_QUEUES) await this.t.app.get<Queue>(getQueueToken(name)).obliterate({ force: true });
    await this.t.close();
    await this.database.drop();
  }
}
