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
});
