/**
 * `--mapping orion`: the object store whose `objects_table` holds `OrionActionLog`, `JobResult`,
 * `OrionInsight` and `OrionPattern` objects with snake_case fields in a JSON `data` column. The
 * object's own bookkeeping (its id, version, authorship and timestamps, which the row's columns
 * also hold) is dropped; `confidence_score` is the insight's confidence and `frequency_count` the
 * pattern's usage count.
 */
export const ORION_MAPPING = {
  description: 'The Orion object store (objects_table): OrionActionLog, JobResult, OrionInsight, OrionPattern',
  table: 'objects_table',
  columns: { id: 'id', type: 'type', data: 'data', createdAt: 'created_at', updatedAt: 'updated_at' },
  camelCase: true,
  drop: ['id', 'type', 'version', 'created_at', 'updated_at', 'created_by', 'updated_by'],
  types: {
    OrionActionLog: { as: 'action_log' },
    JobResult: { as: 'job_result' },
    OrionInsight: { as: 'insight', rename: { confidence_score: 'confidence' } },
    OrionPattern: { as: 'pattern', rename: { frequency_count: 'usageCount' } },
  },
};
