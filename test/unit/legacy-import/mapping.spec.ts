import { snakeToCamel, transformFields } from '../../../src/cli/legacy-import/mapping/field-transform';
import { LegacyMappingError, parseMapping } from '../../../src/cli/legacy-import/mapping/legacy-mapping';
import { loadMapping } from '../../../src/cli/legacy-import/mapping/load-mapping';

describe('legacy import mappings', () => {
  it('turns snake_case into camelCase, leaving other names as they are', () => {
    expect(['duration_ms', 'output_artifacts', 'confidence_score', 'trace_id', 'jobId', 'name', '_private', 'a__b', 'v2_name'].map(snakeToCamel)).toEqual([
      'durationMs',
      'outputArtifacts',
      'confidenceScore',
      'traceId',
      'jobId',
      'name',
      '_private',
      'aB',
      'v2Name',
    ]);
  });

  it('drops, renames (explicitly before camelCase) and fills defaults, top-level fields only', () => {
    const mapping = parseMapping(
      {
        camelCase: true,
        drop: ['version'],
        types: { P: { as: 'pattern', rename: { frequency_count: 'usageCount' }, defaults: { steps: [], trigger: 'never used' }, drop: ['owner_id'] } },
      },
      'test',
    );
    const out = transformFields(
      { version: 3, owner_id: 'x', trigger: 'on failure', frequency_count: 4, extra_info: { nested_key: 1 } },
      mapping,
      mapping.types.get('P'),
    );
    expect(out).toEqual({ ok: true, data: { trigger: 'on failure', usageCount: 4, extraInfo: { nested_key: 1 }, steps: [] } });
    expect(transformFields({ trace_id: 'a', traceId: 'b' }, mapping, undefined)).toEqual({
      ok: false,
      problem: 'fields trace_id and traceId would both become traceId',
    });
  });

  it("ships the orion mapping: the object store's four types, snake_case to camelCase", () => {
    const orion = loadMapping('orion');
    expect(orion.table).toBe('objects_table');
    expect(Object.fromEntries([...orion.types].map(([name, spec]) => [name, spec.as]))).toEqual({
      OrionActionLog: 'action_log',
      JobResult: 'job_result',
      OrionInsight: 'insight',
      OrionPattern: 'pattern',
    });
    const insight = transformFields(
      { id: 'i1', version: 2, summary: 's', domain: 'd', confidence_score: 0.5, content: 'c' },
      orion,
      orion.types.get('OrionInsight'),
    );
    expect(insight).toEqual({ ok: true, data: { summary: 's', domain: 'd', confidence: 0.5, content: 'c' } });
  });

  it.each([
    [[], 'mapping m: must be a JSON object'],
    [{ types: { A: { as: 'agent' } }, snake: true }, 'mapping m: snake is not a mapping field'],
    [{ table: 'x;drop', types: { A: { as: 'agent' } } }, 'mapping m: table must be a table name'],
    [{ columns: { key: 'id' }, types: { A: { as: 'agent' } } }, 'mapping m: columns.key is not a column role'],
    [{ columns: { data: 'a b' }, types: { A: { as: 'agent' } } }, 'mapping m: columns.data must be a column name'],
    [{ camelCase: 'yes', types: { A: { as: 'agent' } } }, 'mapping m: camelCase must be true or false'],
    [{ types: {} }, 'mapping m: types must be an object with at least one source type name'],
    [{ types: { A: 'agent' } }, 'mapping m: types.A must be an object such as {"as": "action_log"}'],
    [
      { types: { A: { as: 'robot' } } },
      'mapping m: types.A.as must be one of the known types (agent, workflow, task, message, job_result, action_log, insight, pattern, integrated_object), not "robot"',
    ],
    [{ types: { A: { as: 'agent', rename: { a: 7 } } } }, 'mapping m: types.A.rename.a must be a field name'],
    [{ types: { A: { as: 'agent', drop: 'x' } } }, 'mapping m: types.A.drop must be an array of field names'],
    [{ types: { A: { as: 'agent', default: {} } } }, 'mapping m: types.A.default is not a type mapping field'],
  ])('refuses %j with one line naming the problem', (input, message) => {
    expect(() => parseMapping(input, 'm')).toThrow(LegacyMappingError);
    expect(() => parseMapping(input, 'm')).toThrow(message);
  });
});
