import { mkdtempSync, rmSync } from 'node:fs';
import { Client } from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DomainEvents } from '../../../src/common/events/domain-events.service';
import { createAppDataSource } from '../../../src/data-source';
import { EventsRepository } from '../../../src/modules/events/events.repository';
import { START } from '../../../src/modules/events/event-cursor';
import { EventFeed } from '../../../src/modules/events/event-feed.service';
import { TenantScope } from '../../../src/common/tenancy/tenant-scope';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { makeAgent } from '../../factories/agent.factory';
import { FeedItem, holdTransactionWithEvents, readFeed, readToHead, someEvents, untilFeedCaughtUp } from '../../utils/event-feed';
import { useTwoTenants } from '../../utils/test-app';

async function createAgents(suite: ReturnType<typeof useTwoTenants>, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await suite.t.http().post('/api/v1/agents').set(suite.tenant.auth).send(makeAgent()).expect(201);
    ids.push(res.body.id);
  }
  return ids;
}

function expectNoDuplicates(items: FeedItem[]): void {
  expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
}

describe('the event feed (GET /events) in commit-safe order', () => {
  // Room in the pool for the held transactions, the other writers and the readers at once.
  const suite = useTwoTenants({ LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: '30' });

  it('a reader at the head gets the events of a transaction that commits late, after its commit, in order and once', async () => {
    const { t, tenant } = suite;
    const start = await readToHead(t.http, tenant.auth);

    const held = await holdTransactionWithEvents(t.app, tenant.tenantId, 3);
    // Later transactions commit while the first is still open: their events have larger row ids.
    const later = await createAgents(suite, 4);
    const whileHeld = await readToHead(t.http, tenant.auth, start.cursor);
    // Nothing behind the open transaction is served yet: serving the later ones now is what made readers skip.
    expect(whileHeld.items).toEqual([]);
    expect(whileHeld.cursor).toBe(start.cursor);

    await held.commit();
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const afterCommit = await readToHead(t.http, tenant.auth, whileHeld.cursor);
    expect(afterCommit.items.map((item) => item.aggregateId)).toEqual([...held.aggregateIds, ...later]);
    expectNoDuplicates(afterCommit.items);

    const again = await readFeed(t.http, tenant.auth, afterCommit.cursor);
    expect(again).toEqual({ items: [], nextCursor: afterCommit.cursor });
  });

  it('a transaction open in another database of the server holds no reader back; the feed serves what committed here', async () => {
    const { t, tenant } = suite;
    const start = await readToHead(t.http, tenant.auth);
    // A transaction with an id, open in another database (as a migration or a report would be).
    const elsewhere = new Client({ connectionString: Object.assign(new URL(process.env.TEST_DATABASE_URL!), { pathname: '/postgres' }).toString() });
    await elsewhere.connect();
    try {
      await elsewhere.query('BEGIN');
      await elsewhere.query('SELECT pg_current_xact_id()');
      const later = await createAgents(suite, 2);
      const read = await readToHead(t.http, tenant.auth, start.cursor);
      expect(read.items.map((item) => item.aggregateId)).toEqual(later);
    } finally {
      await elsewhere.query('ROLLBACK');
      await elsewhere.end();
    }
  });

  it('a read waits for the events committed before it while an older transaction of this database ends, and serves them', async () => {
    const { t, tenant } = suite;
    const start = await readToHead(t.http, tenant.auth);
    // Any transaction with an id, as another tenant's request or the app's background work has.
    const older = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await older.connect();
    try {
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()');
      const written = await createAgents(suite, 2);
      let answered = false;
      const read = readFeed(t.http, tenant.auth, start.cursor).finally(() => (answered = true));
      await new Promise((resolve) => setTimeout(resolve, 150));
      // Without the wait the read answered at once, without the two agents' events.
      expect(answered).toBe(false);
      await older.query('ROLLBACK');
      expect((await read).items.map((item) => item.aggregateId)).toEqual(written);
    } finally {
      await older.end();
    }
  });

  it("a filtered read waits only for the events it asks for: other aggregates' events held back do not delay it", async () => {
    const { t, tenant } = suite;
    const [mine] = await createAgents(suite, 1);
    const older = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await older.connect();
    try {
      await older.query('BEGIN');
      await older.query('SELECT pg_current_xact_id()');
      // Committed behind the open transaction: held back from every read until it ends.
      await createAgents(suite, 2);
      const reads = vi.spyOn(t.app.get(EventsRepository), 'page');
      try {
        const res = await t.http().get('/api/v1/events').query({ aggregateId: mine }).set(tenant.auth).expect(200);
        expect(res.body.items.map((item: FeedItem) => item.aggregateId)).toEqual([mine]);
        // One read: nothing it asks for is held back, so it does not read again until the wait ends.
        expect(reads).toHaveBeenCalledTimes(1);
      } finally {
        reads.mockRestore();
      }
    } finally {
      await older.query('ROLLBACK');
      await older.end();
    }
  });

  it('a rolled-back transaction leaves nothing in the feed and holds no reader back once it ended', async () => {
    const { t, tenant } = suite;
    const start = await readToHead(t.http, tenant.auth);
    const held = await holdTransactionWithEvents(t.app, tenant.tenantId, 2);
    const later = await createAgents(suite, 2);
    await held.rollback();
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const read = await readToHead(t.http, tenant.auth, start.cursor);
    expect(read.items.map((item) => item.aggregateId)).toEqual(later);
  });

  it('50 writers against 4 readers following the head: every reader gets every event exactly once, in one order', async () => {
    const { t, tenant } = suite;
    const start = await readToHead(t.http, tenant.auth);
    let writing = true;

    const writers = Array.from({ length: 50 }, async (_, writer) => {
      for (let round = 0; round < 4; round++) {
        if ((writer + round) % 5 === 0) {
          // A slow transaction: its events take their ids now and commit after others.
          const held = await holdTransactionWithEvents(t.app, tenant.tenantId, 2);
          await new Promise((resolve) => setTimeout(resolve, 10 + ((writer * 7 + round) % 40)));
          await held.commit();
        } else if ((writer + round) % 7 === 0) {
          await t
            .http()
            .post('/api/v1/agents/bulk')
            .set(tenant.auth)
            .send({ items: [makeAgent(), makeAgent(), makeAgent()] })
            .expect(201);
        } else {
          await t.http().post('/api/v1/agents').set(tenant.auth).send(makeAgent()).expect(201);
        }
      }
    });
    // Readers call the feed as GET /events does, without HTTP in between, so they read often.
    const feed = t.app.get(EventFeed);
    const readers = Array.from({ length: 4 }, async () => {
      const seen: FeedItem[] = [];
      let after = feed.positionOf(tenant.tenantId, start.cursor);
      for (;;) {
        const stillWriting = writing;
        const page = await TenantScope.run(tenant.tenantId, () => feed.page(tenant.tenantId, after, {}, 20));
        seen.push(...page.items.map((event) => feed.toResponse(event)));
        after = page.items.at(-1)?.position ?? after;
        // Once the writers are done, a read at the head with nothing left waiting ends it.
        if (!stillWriting && page.items.length === 0 && page.heldBackTo === null) return seen;
      }
    });
    await Promise.all(writers);
    writing = false;
    const results = await Promise.all(readers);

    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const [{ count }] = await t.owner.query(`SELECT count(*)::int AS count FROM domain_events WHERE tenant_id = $1`, [tenant.tenantId]);
    const everything = (await readToHead(t.http, tenant.auth, start.cursor)).items;
    expect(everything.length).toBe(count - start.items.length);
    for (const seen of results) {
      expectNoDuplicates(seen);
      expect(seen.map((item) => item.id)).toEqual(everything.map((item) => item.id));
    }
  });

  it('never shows another tenant’s events, and its cursors do not work for another tenant', async () => {
    const { t, tenant, other } = suite;
    await createAgents(suite, 2);
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const mine = await readToHead(t.http, tenant.auth);
    expect(mine.items).toHaveLength(2);
    expect(mine.items.every((item) => item.tenantId === tenant.tenantId)).toBe(true);
    const res = await t.http().get('/api/v1/events').query({ after: mine.cursor }).set(other.auth);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_CURSOR');
  });

  it('cursors are opaque: the same length whatever the position, with no visible number in them', async () => {
    const { t, tenant } = suite;
    await createAgents(suite, 3);
    await untilFeedCaughtUp(t.owner, tenant.tenantId);
    const { items, cursor } = await readToHead(t.http, tenant.auth);
    for (const id of [...items.map((item) => item.id), cursor]) expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const [{ max }] = await t.owner.query(`SELECT max(id)::text AS max FROM domain_events WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(items.at(-1)!.id).not.toContain(max);
  });
});

describe('the event feed on the embedded database (PGlite)', () => {
  it('serves committed events by (transaction, id) below the snapshot horizon', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'agent-ledger-feed-'));
    const dataSource = createAppDataSource({ profile: 'embedded', dataDir, migrationsRun: true }, { logging: false });
    try {
      await dataSource.initialize();
      const events = new DomainEvents(new EventEmitter2());
      const ctx = { tenantId: 'embedded', actorId: 'test', keyId: null, correlationId: null };
      const first = someEvents(2);
      const second = someEvents(1);
      await dataSource.transaction((manager) => events.append(manager, ctx, first));
      await dataSource.transaction((manager) => events.append(manager, ctx, second));
      const repository = new EventsRepository(dataSource);

      const page = await repository.page('embedded', START, {}, 2);
      expect(page.items.map((event) => event.aggregateId)).toEqual(first.map((event) => event.aggregateId));
      expect(page.hasMore).toBe(true);
      const rest = await repository.page('embedded', page.items[1].position, { type: 'agent.*' }, 10);
      expect(rest.items.map((event) => event.aggregateId)).toEqual(second.map((event) => event.aggregateId));
      expect(rest.hasMore).toBe(false);
      expect(rest.scannedTo.xid).toBeGreaterThan(rest.items[0].position.xid);
      expect(await repository.head('embedded')).toEqual(rest.items[0].position);
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
