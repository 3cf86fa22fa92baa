import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { uuidv7 } from '../../src/common/persistence/uuid-v7';
import { legacyTargetId } from '../../src/cli/legacy-import/target-id';
import { StoreRow, storeFixture, storeLegacyId, storeOriginalIds, writeStoreFile, writeStores } from '../fixtures/integration-stores/integration-store-fixture';
import { expectRejections, importLegacy, killImportAfterFirstCommit, tenantCounts, uniqueNames, useLegacyImportSetup } from '../utils/legacy-import';

const fixture = storeFixture();
const entries = Object.entries(fixture.files).flatMap(([file, rows]) => rows.map((row) => ({ file, row, id: storeLegacyId(file, row) })));
const invalid = entries.filter((entry) => entry.row.expect !== undefined);
const valid = entries.filter((entry) => entry.row.expect === undefined);
const expectStoreRejections = (stdout: string) =>
  expectRejections(
    stdout,
    invalid.map(({ id, row }) => ({ type: 'integrated_object', id, reason: row.expect! })),
  );

describe('npm run cli -- import-legacy --integrated-objects (per-company SQLite stores)', () => {
  const setup = useLegacyImportSetup('stores');
  let db: Client;
  beforeAll(() => void (db = setup.db()));
  const freshDir = (label: string) => {
    const dir = join(setup.dir(), `${label}-${Date.now().toString(36)}`);
    mkdirSync(dir);
    return dir;
  };

  it('imports every store of a directory: one object per company and original id, the company from the column or the file name, invalid rows with their reason', async () => {
    const { tenant } = uniqueNames('stores');
    const dir = freshDir('import');
    await writeStores(dir);
    writeFileSync(join(dir, 'README.txt'), 'not a store'); // other files in the directory are left alone
    const args = ['--from', dir, '--integrated-objects', '--tenant', tenant];

    const first = await importLegacy(args);
    expect(first.stderr).not.toContain('cli:');
    expect(first.code).toBe(1);
    expectStoreRejections(first.stdout);
    expect(first.stdout).toMatch(/^integrated_object\s+10\s+4\s+0\s+6$/m);
    expect(await tenantCounts(db, tenant)).toMatchObject({ integrated_objects: valid.length, legacy_imports: valid.length });

    const { rows: objects } = await db.query(
      `SELECT company_id, platform, original_id, object_type, original_data, integrated_content, metadata, summary, created_at, updated_at, created_by
       FROM integrated_objects WHERE tenant_id = $1 ORDER BY company_id, original_id`,
      [tenant],
    );
    expect(objects.map((o) => [o.company_id, o.original_id])).toEqual([
      ['acme', '123'],
      ['acme', '124'],
      ['globex', '123'],
      ['globex', '200'],
    ]);
    expect(objects[0]).toMatchObject({
      platform: 'freshdesk',
      object_type: 'integrated_ticket',
      original_data: { id: 123, subject: 'Printer on fire', status: 'open' },
      integrated_content: 'Printer on fire. Agent: please unplug it.',
      metadata: { conversations: 2 },
      summary: 'Printer fire, unplugged',
      created_by: 'legacy-import',
    });
    expect(objects[0].created_at.toISOString()).toBe('2025-01-10T09:00:00.000Z');
    expect(objects[0].updated_at.toISOString()).toBe('2025-01-11T10:30:00.000Z');
    // acme's 124 has no company_id (the file name gives it) and no updated_at (created_at stands in).
    expect(objects[1]).toMatchObject({ metadata: {}, summary: null });
    expect(objects[1].updated_at.toISOString()).toBe('2025-01-12T08:15:00.500Z');
    expect(objects[2].original_data).toEqual({ id: 123, subject: 'Refund please' }); // globex's own ticket "123"

    const again = await importLegacy(args);
    expect(again.stdout).toMatch(/^integrated_object\s+10\s+0\s+4\s+6$/m);
    expect((await tenantCounts(db, tenant)).integrated_objects).toBe(valid.length);
  }, 120_000);

  it('--dry-run reports the same and writes nothing', async () => {
    const { tenant } = uniqueNames('storesdry');
    const dir = freshDir('dry');
    const [acme, globex] = await writeStores(dir);
    const before = await tenantCounts(db, tenant);
    const result = await importLegacy(['--from', `${acme},${globex}`, '--integrated-objects', '--tenant', tenant, '--dry-run']);
    expect(result.code).toBe(1);
    expectStoreRejections(result.stdout);
    expect(result.stdout).toMatch(/^integrated_object\s+10\s+4\s+0\s+6$/m);
    expect(result.stdout).toContain('Dry run: nothing was written.');
    expect(await tenantCounts(db, tenant)).toEqual(before);
  }, 60_000);

  it('verify names a changed object; cleanup then refuses, and once verify passes deletes the imported rows from each file', async () => {
    const { tenant } = uniqueNames('storesclean');
    const dir = freshDir('clean');
    const [acme, globex] = await writeStores(dir);
    const args = ['--from', dir, '--integrated-objects', '--tenant', tenant];
    await importLegacy(args);

    expect((await importLegacy([...args, '--verify'])).stdout).toMatch(/^integrated_object\s+10\s+4\s+4\s+0\s+0\s+6$/m);
    const id = legacyTargetId(tenant, 'integrated_objects', 'globex/freshdesk/200', new Date('2025-01-10T09:00:00Z'));
    await db.query(`UPDATE integrated_objects SET summary = 'edited behind the import' WHERE id = $1`, [id]);
    const failed = await importLegacy([...args, '--cleanup']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`integrated_object "globex/freshdesk/200" → ${id}: the target row differs from what was imported`);
    expect(failed.stdout).toContain('Cleanup refused');

    await db.query(`UPDATE integrated_objects SET summary = NULL WHERE id = $1`, [id]);
    const cleaned = await importLegacy([...args, '--cleanup', '--batch-size', '3']);
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toContain('Cleanup done: 4 legacy row(s) deleted.');
    const left = (file: string) => fixture.files[file].filter((row) => row.expect !== undefined).map((row) => String(row.original_id));
    expect(await storeOriginalIds(acme)).toEqual(left('acme_freshdesk_data.db'));
    expect(await storeOriginalIds(globex)).toEqual(left('globex_freshdesk_data.db'));
    expect((await importLegacy([...args, '--verify'])).stdout).toMatch(/^integrated_object\s+6\s+4\s+4\s+0\s+4\s+6$/m);
  }, 120_000);

  it('rejects an object whose (platform, company, original id) the tenant has already, and refuses a store that holds one key twice or lacks the table', async () => {
    const { tenant } = uniqueNames('storestaken');
    const dir = freshDir('taken');
    await writeStores(dir);
    const existing = uuidv7();
    await db.query(
      `INSERT INTO integrated_objects (id, tenant_id, platform, original_id, company_id, object_type, original_data, created_by, updated_by)
       VALUES ($1, $2, 'freshdesk', '123', 'globex', 'ticket', '{"current": true}', 'api', 'api')`,
      [existing, tenant],
    );
    const result = await importLegacy(['--from', dir, '--integrated-objects', '--tenant', tenant]);
    expect(result.stdout).toContain(
      `rejected integrated_object "globex/freshdesk/123": platform "freshdesk" with originalId "123" of company "globex" is already taken by integrated object ${existing}`,
    );
    expect((await db.query(`SELECT count(*)::int AS n FROM integrated_objects WHERE tenant_id = $1 AND original_id = '123'`, [tenant])).rows[0].n).toBe(2); // acme's, and the one there was

    const twice = freshDir('twice');
    const row: StoreRow = fixture.files['acme_freshdesk_data.db'][0];
    await writeStoreFile(join(twice, 'initech_freshdesk_data.db'), fixture.schema, [
      { ...row, company_id: null },
      { ...row, company_id: 'initech' },
    ]);
    const refused = await importLegacy(['--from', twice, '--integrated-objects', '--tenant', tenant]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(
      '1 key(s) are held by more than one row: "initech/freshdesk/123" (initech_freshdesk_data.db#1, initech_freshdesk_data.db#2)',
    );

    const empty = freshDir('empty');
    copyFileSync(join(twice, 'initech_freshdesk_data.db'), join(empty, 'other.db'));
    const wrongTable = await importLegacy(['--from', join(empty, 'other.db'), '--integrated-objects', '--table', 'tickets', '--tenant', tenant]);
    expect(wrongTable.code).toBe(1);
    expect(wrongTable.stdout).toContain('import-legacy: other.db has no table tickets');
  }, 120_000);

  it('SIGKILLed mid-run, a re-run imports exactly what is missing and verify passes', async () => {
    const { tenant } = uniqueNames('storescrash');
    const dir = freshDir('crash');
    const rowsOf = (company: string, count: number): StoreRow[] =>
      Array.from({ length: count }, (_, i) => ({
        original_id: String(i),
        company_id: company,
        platform: 'freshdesk',
        object_type: 'integrated_ticket',
        original_data: JSON.stringify({ id: i }),
        integrated_content: `ticket ${i}`,
        metadata: null,
        summary: null,
        created_at: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
        updated_at: null,
      }));
    await writeStoreFile(join(dir, 'acme_freshdesk_data.db'), fixture.schema, rowsOf('acme', 1500));
    await writeStoreFile(join(dir, 'globex_freshdesk_data.db'), fixture.schema, rowsOf('globex', 1500));
    const args = ['--from', dir, '--integrated-objects', '--tenant', tenant];

    await killImportAfterFirstCommit(db, tenant, [...args, '--batch-size', '5']);
    const atKill = await tenantCounts(db, tenant);
    expect(atKill.legacy_imports).toBeGreaterThan(0);
    expect(atKill.legacy_imports).toBeLessThan(3000);
    expect(atKill.integrated_objects).toBe(atKill.legacy_imports); // each committed batch is whole

    const rerun = await importLegacy([...args, '--batch-size', '500']);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toMatch(
      new RegExp(
        `^integrated_object\\s+3,000\\s+${(3000 - atKill.legacy_imports).toLocaleString('en-US')}\\s+${atKill.legacy_imports.toLocaleString('en-US')}\\s+0$`,
        'm',
      ),
    );
    expect(await tenantCounts(db, tenant)).toMatchObject({ integrated_objects: 3000, legacy_imports: 3000 });
    const {
      rows: [perCompany],
    } = await db.query(
      `SELECT count(DISTINCT (company_id, original_id))::int AS keys, count(DISTINCT original_id)::int AS ids FROM integrated_objects WHERE tenant_id = $1`,
      [tenant],
    );
    expect(perCompany).toEqual({ keys: 3000, ids: 1500 });
    expect((await importLegacy([...args, '--verify'])).code).toBe(0);
  }, 120_000);
});
