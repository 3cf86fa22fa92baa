import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ApiKeysRepository } from '../../../src/common/auth/api-keys.repository';
import { hashApiKey } from '../../../src/common/auth/api-keys.service';
import { uuidv7 } from '../../../src/common/persistence/uuid-v7';
import { createAppDataSource } from '../../../src/data-source';
import { StatusCountsRepository } from '../../../src/modules/metrics/status-counts.repository';
import { OutboxRepository } from '../../../src/modules/outbox/outbox.repository';
import { insertServiceCallRow } from '../../factories/service-call-row.factory';

/**
 * The SQL the service relies on, run on the embedded engine (PGlite): if one of these ever
 * stops working there, the embedded profile can no longer share PostgreSQL's migrations.
 */
describe('embedded database (PGlite) capabilities', () => {
  let dataDir: string;
  let dataSource: DataSource;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'agent-ledger-capabilities-'));
    dataSource = createAppDataSource({ profile: 'embedded', dataDir, migrationsRun: true }, { migrationsRun: false, logging: false });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE jobs (id int PRIMARY KEY, state text NOT NULL, body jsonb NOT NULL)`);
    await dataSource.query(
      `INSERT INTO jobs SELECT g, 'pending', jsonb_build_object('n', g, 'tags', jsonb_build_array('a', 'b')) FROM generate_series(1, 10) g`,
    );
  }, 60_000);
  afterAll(async () => {
    await dataSource.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tells transaction ids and the oldest running transaction apart, as the commit-safe event feed needs', async () => {
    const [{ xid, horizon, ordered }] = await dataSource.query(
      `SELECT pg_current_xact_id()::text AS xid, pg_snapshot_xmin(pg_current_snapshot())::text AS horizon,
              ('5'::bigint, 9::bigint) < ('6'::bigint, 1::bigint) AS ordered`,
    );
    expect(BigInt(horizon)).toBeLessThanOrEqual(BigInt(xid));
    expect(ordered).toBe(true);
  });

  it('generates uuids with gen_random_uuid()', async () => {
    const [{ id }] = await dataSource.query('SELECT gen_random_uuid() AS id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('queries jsonb with operators and containment', async () => {
    const rows = await dataSource.query(`SELECT id FROM jobs WHERE body @> '{"tags": ["b"]}' AND (body->>'n')::int > 8 ORDER BY id`);
    expect(rows.map((r: { id: number }) => r.id)).toEqual([9, 10]);
  });

  it('claims rows with FOR UPDATE SKIP LOCKED inside a transaction', async () => {
    const claimed = await dataSource.transaction(async (manager) => {
      const rows = await manager.query(`SELECT id FROM jobs WHERE state = 'pending' ORDER BY id LIMIT 3 FOR UPDATE SKIP LOCKED`);
      await manager.query(`UPDATE jobs SET state = 'claimed' WHERE id = ANY($1)`, [rows.map((r: { id: number }) => r.id)]);
      return rows.map((r: { id: number }) => r.id);
    });
    expect(claimed).toEqual([1, 2, 3]);
  });

  it('maintains a generated tsvector column with a GIN index and ranks full-text matches', async () => {
    await dataSource.query(`CREATE TABLE notes (
      id int PRIMARY KEY,
      body text NOT NULL,
      search tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED
    )`);
    await dataSource.query(`CREATE INDEX notes_search ON notes USING GIN (search)`);
    await dataSource.query(`INSERT INTO notes VALUES
      (1, 'The agent was running a long search'),
      (2, 'Agents run searches; running agents run more searches'),
      (3, 'Nothing relevant here')`);
    const rows = await dataSource.query(
      `SELECT id FROM notes WHERE search @@ plainto_tsquery('english', 'run search')
       ORDER BY ts_rank(search, plainto_tsquery('english', 'run search')) DESC`,
    );
    expect(rows.map((r: { id: number }) => r.id)).toEqual([2, 1]);

    const [match, ...others] = await dataSource.query(
      `SELECT id, ts_headline('english', body, q, 'StartSel=<b>, StopSel=</b>, MaxFragments=3') AS highlight
       FROM notes, websearch_to_tsquery('english', '"running agents" -long') AS q
       WHERE search @@ q`,
    );
    expect(others).toEqual([]);
    expect(match.id).toBe(2);
    expect(match.highlight).toContain('<b>run</b>');
  });

  it('runs the work across tenants through the security-definer functions, as PGlite’s own superuser', async () => {
    await dataSource.runMigrations({ transaction: 'each' });
    const keys = new ApiKeysRepository(dataSource);
    for (const tenantId of ['pglite-a', 'pglite-b']) {
      const id = uuidv7();
      const row = { id, tenantId, name: 'ops', keyPrefix: 'alk_abcdef', keyHash: hashApiKey(`alk_${tenantId}`), createdAt: new Date() };
      await keys.insert({ ...row, revokedAt: null, expiresAt: null, lastUsedAt: null, actorOverride: true });
      await insertServiceCallRow(dataSource, tenantId, { status: 'dead_lettered' });
      await insertServiceCallRow(dataSource, tenantId);
    }
    const found = await keys.findActiveByHash(hashApiKey('alk_pglite-b'));
    expect(found).toMatchObject({ tenantId: 'pglite-b', name: 'ops', expiresAt: null });
    expect(await keys.tenantOf(found!.id)).toBe('pglite-b');
    expect((await keys.list()).map((key) => key.tenantId)).toEqual(['pglite-a', 'pglite-b']);

    const outbox = new OutboxRepository(dataSource);
    expect(await outbox.backlog(10)).toMatchObject({
      deadLettered: 2,
      pending: 2,
      pendingByTenant: [
        { tenantId: 'pglite-a', pending: 1 },
        { tenantId: 'pglite-b', pending: 1 },
      ],
    });
    expect((await outbox.deadLetters({}, { limit: 10 })).items.map((record) => record.tenantId)).toEqual(['pglite-a', 'pglite-b']);
    expect(await outbox.countDeadLetters({ tenant: 'pglite-a' })).toBe(1);
    // A batch is of one tenant (that of the first due result), and says that another's remains.
    const claimed = await dataSource.transaction((manager) => outbox.claimDue(manager, 10, { exact: [], core: ['nothing.handles.this@1'] }));
    expect(claimed.records.map((record) => [record.tenantId, record.status])).toEqual([['pglite-a', 'pending']]);
    expect(claimed.more).toBe(true);
    expect(await new StatusCountsRepository(dataSource).countByStatus()).toEqual({ agents: {}, tasks: {} });
  });
});
