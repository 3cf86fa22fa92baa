import { DataSource } from 'typeorm';
import { preparedStatementName, queryPreparedIn } from '../../../src/common/persistence/insert-statement';

describe('a prepared statement in a transaction (queryPreparedIn)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    // The application's role, as the drain runs its claim.
    dataSource = await new DataSource({ type: 'postgres', url: process.env.DATABASE_URL }).initialize();
  });
  afterAll(() => dataSource.destroy());

  it("runs on the transaction's own connection, inside it, prepared once however often it runs", async () => {
    const sql = `SELECT current_setting('app.prepared_probe', true) AS seen, $1::int + 1 AS next`;
    const runs = await dataSource.transaction(async (manager) => {
      // Set for this transaction only: a statement sent on another connection, or outside the transaction, would not see it.
      await manager.query(`SELECT set_config('app.prepared_probe', 'inside', true)`);
      const first = await queryPreparedIn(manager, sql, [1]);
      const second = await queryPreparedIn(manager, sql, [41]);
      const prepared: { n: number }[] = await manager.query('SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = $1', [
        preparedStatementName(sql),
      ]);
      return { first, second, prepared: prepared[0].n };
    });

    expect(runs.first).toEqual([{ seen: 'inside', next: 2 }]);
    expect(runs.second).toEqual([{ seen: 'inside', next: 42 }]);
    expect(runs.prepared).toBe(1);
  });

  it('refuses a manager that is not in a transaction (the statement would run on any connection of the pool)', async () => {
    await expect(queryPreparedIn(dataSource.manager, 'SELECT 1', [])).rejects.toThrow('queryPreparedIn needs the manager of a transaction');
  });
});
