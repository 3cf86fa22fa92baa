import { Client } from 'pg';
import { jsonRows, jsonRowsSelect } from '../../../src/common/persistence/json-rows';

describe('rows sent as one JSON parameter (jsonRows, jsonRowsSelect)', () => {
  let service: Client;

  beforeAll(async () => {
    // The application's role, under row-level security.
    service = new Client({ connectionString: process.env.DATABASE_URL });
    await service.connect();
  });
  afterAll(() => service.end());

  it('reads every value back with its type, a JSON null as NULL, in the order sent', async () => {
    const sent = [
      [`it's "quoted" \\ ünïcode ✓`, '0193a1e2-aaaa-7bbb-8ccc-000000000001', 42, true, 1.5, { nested: [1, 'two', null] }],
      [null, null, null, null, null, { empty: {} }],
      ['', '0193a1e2-aaaa-7bbb-8ccc-000000000002', -7, false, 0, {}],
    ];
    const rows = jsonRowsSelect('$1', [
      ['label', 'text'],
      ['id', 'uuid'],
      ['n', 'int'],
      ['flag', 'boolean'],
      ['x', 'float8'],
      ['doc', 'jsonb'],
    ]);

    const { rows: read } = await service.query(
      `SELECT label, id, n, flag, x, doc, pg_typeof(id)::text AS id_type, pg_typeof(doc)::text AS doc_type FROM ${rows} AS v`,
      [jsonRows(sent)],
    );

    expect(read.map(({ label, id, n, flag, x, doc }) => [label, id, n, flag, x, doc])).toEqual(sent);
    expect(read.map(({ id_type, doc_type }) => [id_type, doc_type])).toEqual(sent.map(() => ['uuid', 'jsonb']));
  });

  it('gives a lookup under row-level security a typed key that an index takes (the drain ends its records by id so)', async () => {
    // A table of its own, in a session of its own: row-level security as the app meets it (a
    // policy on the tenant setting, a role that does not bypass it), and one index, so that the
    // plan shows whether the key can be looked up in it at all.
    const owner = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await owner.connect();
    try {
      const role = new URL(process.env.DATABASE_URL!).username;
      await owner.query('CREATE TEMP TABLE json_rows_probe (tenant_id text NOT NULL, id uuid NOT NULL, PRIMARY KEY (tenant_id, id))');
      await owner.query(`CREATE POLICY tenant_isolation ON json_rows_probe USING (tenant_id = current_setting('app.tenant_id', true))`);
      await owner.query('ALTER TABLE json_rows_probe ENABLE ROW LEVEL SECURITY');
      await owner.query(`GRANT SELECT ON json_rows_probe TO ${role}`);
      await owner.query(`SET ROLE ${role}`);
      await owner.query(`SELECT set_config('app.tenant_id', 'json-rows-tenant', false)`);
      await owner.query('SET enable_seqscan = off');
      const rows = jsonRowsSelect('$1', [['id', 'uuid']]);

      const { rows: plan } = await owner.query(
        `EXPLAIN SELECT found.row_ FROM ${rows} AS v
         CROSS JOIN LATERAL (SELECT x.ctid AS row_ FROM json_rows_probe x WHERE x.tenant_id = 'json-rows-tenant' AND x.id = v.id OFFSET 0) found`,
        [jsonRows([['0193a1e2-aaaa-7bbb-8ccc-000000000001']])],
      );
      const text = plan.map((line: Record<string, string>) => line['QUERY PLAN']).join('\n');

      expect(text).toMatch(/Index Cond: \(\(tenant_id = 'json-rows-tenant'::text\) AND \(id = /);
      expect(text).not.toMatch(/Filter: \(id = /);
    } finally {
      await owner.end();
    }
  });
});
