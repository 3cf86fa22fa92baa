import { parseArgs } from '../../../src/cli/args';
import { LegacyImportUsageError } from '../../../src/cli/legacy-import/legacy-import.errors';
import { parseImportOptions } from '../../../src/cli/legacy-import/options';

const parse = (line: string) => {
  const { positionals, flags } = parseArgs(line.split(' ').filter(Boolean));
  return parseImportOptions(positionals, flags);
};
const URL = 'postgres://u@localhost/db';

describe('import-legacy options', () => {
  it('defaults to an import of the default tenant in batches of 1000', () => {
    expect(parse(`--from ${URL} --table legacy.objects`)).toEqual({
      mode: 'import',
      from: { kind: 'postgres', url: URL },
      table: 'legacy.objects',
      tenantId: 'default',
      batchSize: 1000,
      mapping: null,
    });
    expect(parse(`--from ${URL} --table objects --tenant acme --verify --batch-size 50`)).toMatchObject({ mode: 'verify', tenantId: 'acme', batchSize: 50 });
  });

  it('takes the table from the mapping unless --table names another', () => {
    expect(parse(`--from ${URL} --mapping orion`)).toMatchObject({ table: 'objects_table', mapping: { origin: 'orion', camelCase: true } });
    expect(parse(`--from ${URL} --mapping orion --table legacy.orion_objects`)).toMatchObject({ table: 'legacy.orion_objects' });
  });

  it.each([
    ['--table objects', '--from is required'],
    [`--from ${URL}`, '--table is required'],
    [`--from ${URL} --table objects --dry-run --cleanup`, '--dry-run and --cleanup cannot be used together'],
    [`--from ${URL} --table objects --batch-size 0`, '--batch-size must be a whole number from 1 to 10000'],
    [`--from ${URL} --table objects --tenant Acme`, '--tenant must be'],
    [`--from ${URL} --table objects;drop`, 'is not a table name'],
    [`--from ${URL} --table objects --force`, 'unknown option --force'],
    [`--from ${URL} --table objects --dry-run yes`, '--dry-run takes no value'],
    [`--from ${URL} --table objects extra`, 'unexpected argument "extra"'],
    ['--from /no/such/file --table objects', 'no such file or directory'],
    [`--from ${URL} --table objects --tenant`, '--tenant needs a value'],
    [`--from ${URL} --table objects --mapping`, '--mapping needs a value'],
    [`--from ${URL} --mapping nosuch`, 'no shipped mapping of that name (orion)'],
    [`--from ${URL} --integrated-objects --mapping orion`, '--integrated-objects and --mapping cannot be used together'],
    ['--from /no/such/dir --integrated-objects', '--from /no/such/dir: no such file or directory'],
    [`--from ${URL} --integrated-objects yes`, '--integrated-objects takes no value'],
  ])('refuses %j: %s', (line, message) => {
    expect(() => parse(line)).toThrow(LegacyImportUsageError);
    expect(() => parse(line)).toThrow(message);
  });
});
