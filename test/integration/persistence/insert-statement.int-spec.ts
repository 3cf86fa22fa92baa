import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { insertStatement } from '../../../src/common/persistence/insert-statement';
import { SystemMetric } from '../../../src/modules/metrics/system-metric.entity';
import { openOwnerDataSource } from '../../utils/test-app';

/** Runs `work` in a transaction that is rolled back: the rows never stay. */
async function inRolledBack<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.startTransaction();
  try {
    return await work(runner.manager);
  } finally {
    await runner.rollbackTransaction();
    await runner.release();
  }
}

/** The rows' columns as PostgreSQL prints them (exact: a double's shortest form, jsonb's normal form). */
const STORED = `SELECT name, value::text AS value, unit, tags::text AS tags, recorded_at::text AS recorded_at, tenant_id FROM system_metrics WHERE id = ANY($1::uuid[])`;

function metric(values: Partial<SystemMetric>): Partial<SystemMetric> {
  return {
    id: randomUUID(),
    tenantId: 'insert-statement',
    name: 'm',
    value: 1,
    unit: null,
    tags: {},
    recordedAt: new Date('2026-12-07T05:40:01.123Z'),
    ...values,
  };
}

async function insert(manager: EntityManager, rows: Partial<SystemMetric>[]): Promise<{ sql: string; params: unknown[] }> {
  const params: unknown[] = [];
  const sql = insertStatement(manager, SystemMetric, rows, params);
  await manager.query(sql, params);
  return { sql, params };
}

describe('insertStatement: several rows as one JSON parameter, one row as a VALUES row', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openOwnerDataSource();
  });
  afterAll(() => dataSource.destroy());

  const awkward: Partial<SystemMetric>[] = [
    { name: `quotes ' " and \\ backslash`, value: 0.1, unit: 'ms', tags: { nested: { list: [1, 2.5, 'x', null, true], empty: {} } } },
    {
      name: 'emoji 🚀 and accents é ü, a\nnewline\tand tab',
      value: 1e-300,
      unit: null,
      tags: { big: 2 ** 70, tiny: 5e-324, text: '{"not": "json"}' },
    },
    { name: '', value: -1.7976931348623157e308, unit: '', tags: { s: 'null' } },
    { name: 'precise', value: 123456789.12345679, recordedAt: new Date('1999-12-31T23:59:59.999Z'), tags: [] as unknown as Record<string, unknown> },
  ];

  it('stores every value exactly as the one-row VALUES form does, in one parameter whatever the number of rows', async () => {
    const { multi, single, statements } = await inRolledBack(dataSource, async (manager) => {
      const together = awkward.map((values) => metric(values));
      const oneByOne = awkward.map((values) => metric(values));
      const many = await insert(manager, together);
      const texts = [many.sql];
      for (const row of oneByOne) texts.push((await insert(manager, [row])).sql);
      const byName = async (rows: Partial<SystemMetric>[]) => {
        const stored: { name: string }[] = await manager.query(STORED, [rows.map((row) => row.id)]);
        return awkward.map((values) => stored.find((row) => row.name === values.name));
      };
      return { multi: { ...many, rows: await byName(together) }, single: await byName(oneByOne), statements: texts };
    });
    expect(multi.params).toHaveLength(1);
    expect(multi.sql).toContain('jsonb_array_elements');
    // The one-row form is a VALUES row, one parameter per column.
    expect(statements[1]).toContain('VALUES');
    expect(multi.rows).toEqual(single);
    expect(multi.rows.map((row) => row && (row as unknown as { value: string }).value)).toEqual([
      '0.1',
      '1e-300',
      '-1.7976931348623157e+308',
      '123456789.12345679',
    ]);
    // The text of the statement does not change with the number of rows.
    const params: unknown[] = [];
    expect(insertStatement(dataSource.manager, SystemMetric, [metric({}), metric({}), metric({})], params)).toBe(multi.sql);
  });

  it('keeps a JSON null of a jsonb column apart from SQL NULL only where the VALUES form does: a null value is SQL NULL', async () => {
    // system_metrics.tags is NOT NULL: a null there is refused as the VALUES form refuses it, not stored as JSON null.
    const refused = inRolledBack(dataSource, (manager) => insert(manager, [metric({}), metric({ tags: null as unknown as Record<string, unknown> })]));
    await expect(refused).rejects.toThrow(/null value in column "tags"/);
  });

  it('falls back to the VALUES form for a value JSON cannot carry (a number that is not finite), which PostgreSQL stores', async () => {
    const { stored, params } = await inRolledBack(dataSource, async (manager) => {
      const rows = [metric({ name: 'up', value: Infinity }), metric({ name: 'down', value: -Infinity })];
      const { params } = await insert(manager, rows);
      const stored: { name: string; value: string }[] = await manager.query(`${STORED} ORDER BY name`, [rows.map((row) => row.id)]);
      return { stored, params };
    });
    expect(params.length).toBeGreaterThan(1);
    expect(stored.map((row) => [row.name, row.value])).toEqual([
      ['down', '-Infinity'],
      ['up', 'Infinity'],
    ]);
  });

  it("one row: keeps one text per shape, numbered from where the parameters start, with each call's own values", async () => {
    const a = metric({ name: 'a', value: 1 });
    const b = metric({ name: 'b', value: 2 });
    const stored = await inRolledBack(dataSource, async (manager) => {
      const first = await insert(manager, [a]);
      const second = await insert(manager, [b]);
      const rows: { name: string; value: string }[] = await manager.query(`${STORED} ORDER BY name`, [[a.id, b.id]]);
      return { first, second, rows };
    });
    // The same text for the same shape: prepared by its text, a single create is one statement per connection.
    expect(stored.second.sql).toBe(stored.first.sql);
    expect(stored.first.sql).toMatch(/ VALUES \(\$1, \$2, \$3, \$4, \$5, \$6, \$7\)$/);
    expect(stored.first.params).toContain('a');
    expect(stored.second.params).toContain('b');
    expect(stored.rows.map((row) => [row.name, row.value])).toEqual([
      ['a', '1'],
      ['b', '2'],
    ]);

    const after: unknown[] = ['earlier'];
    expect(insertStatement(dataSource.manager, SystemMetric, [metric({})], after)).toMatch(/ VALUES \(\$2, \$3, \$4, \$5, \$6, \$7, \$8\)$/);
    expect(after).toHaveLength(8);

    const { unit: _unit, ...withoutUnit } = metric({});
    const fewer = insertStatement(dataSource.manager, SystemMetric, [withoutUnit], []);
    expect(fewer).not.toContain('"unit"');
    expect(fewer).toMatch(/ VALUES \(\$1, \$2, \$3, \$4, \$5, \$6\)$/);
  });
});
