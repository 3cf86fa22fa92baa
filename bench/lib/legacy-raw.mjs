import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Decisions } from '../../dist/cli/legacy-import/decisions.js';
import { parseLegacyRow } from '../../dist/cli/legacy-import/legacy-row.js';
import { createMappers } from '../../dist/cli/legacy-import/mappers/index.js';

const ACTOR = 'legacy-import';
/** Rows per multi-row INSERT of the baseline. */
export const RAW_BATCH = 1000;

/**
 * The rows the import writes, mapped ahead of time by the import's own mappers (so the baseline
 * loads exactly the same values): `[{ mapper, rows: [values], edges: [[task, dependsOn]] }]` in import order.
 */
export async function mapLegacyRows(legacyRows, { tenantId, sourceTable }) {
  const decisions = new Decisions();
  const ctx = { tenantId, sourceTable, decisions };
  const mapped = [];
  for (const mapper of createMappers()) {
    const rows = [];
    const edges = [];
    for (const legacy of legacyRows) {
      if (legacy.type !== mapper.type) continue;
      const parsed = parseLegacyRow({
        id: legacy.id,
        type: legacy.type,
        data: JSON.stringify(legacy.data),
        createdAt: legacy.created_at,
        updatedAt: legacy.updated_at,
      });
      const result = await mapper.map(parsed.value, ctx);
      if (!result.ok) throw new Error(`legacy row ${legacy.id} does not map: ${result.reason}`);
      decisions.imported(legacy.id, mapper.type, result.value.targetId, result.value.workflowId);
      rows.push(result.value.values);
      for (const target of result.value.values.dependsOn ?? []) edges.push([result.value.targetId, target]);
    }
    if (rows.length > 0) mapped.push({ mapper, rows, edges });
  }
  return mapped;
}

/** `raw_<table>`: a copy of each target table (same columns, defaults, checks and indexes; no foreign keys). */
export async function createRawTargetTables(url, dataSource, mapped) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const { mapper } of mapped) {
      const table = dataSource.getMetadata(mapper.entity).tableName;
      await client.query(`CREATE TABLE raw_${table} (LIKE ${table} INCLUDING ALL)`);
    }
    await client.query('CREATE TABLE raw_task_dependencies (LIKE task_dependencies INCLUDING ALL)');
  } finally {
    await client.end();
  }
}

/**
 * The baseline: the same mapped rows (and task dependencies) loaded with batched multi-row
 * `INSERT … VALUES` (RAW_BATCH rows per statement, autocommit) over one `pg` connection, into the
 * raw copies of the tables. No validation, no ledger, no events. Resolves with the milliseconds taken.
 */
export async function loadRaw(url, dataSource, mapped, tenantId) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const started = performance.now();
    for (const { mapper, rows, edges } of mapped) {
      const metadata = dataSource.getMetadata(mapper.entity);
      const columns = ['id', ...mapper.fields].map((p) => metadata.findColumnWithPropertyName(p)).filter(Boolean);
      const constants = ['tenantId', 'createdBy', 'updatedBy', 'version'].map((p) => metadata.findColumnWithPropertyName(p)).filter(Boolean);
      const constantValue = { tenantId, createdBy: ACTOR, updatedBy: ACTOR, version: 1 };
      const names = [...constants, ...columns].map((c) => `"${c.databaseName}"`).join(', ');
      for (let start = 0; start < rows.length; start += RAW_BATCH) {
        const params = [];
        const tuples = rows.slice(start, start + RAW_BATCH).map((row) => {
          const values = [
            ...constants.map((c) => constantValue[c.propertyName]),
            ...columns.map((c) => {
              const value = row[c.propertyName];
              return value === null || value === undefined ? null : c.type === 'jsonb' ? JSON.stringify(value) : value;
            }),
          ];
          return `(${values.map((value) => (params.push(value), `$${params.length}`)).join(', ')})`;
        });
        await client.query(`INSERT INTO raw_${metadata.tableName} (${names}) VALUES ${tuples.join(', ')}`, params);
      }
      for (let start = 0; start < edges.length; start += RAW_BATCH) {
        const chunk = edges.slice(start, start + RAW_BATCH);
        const params = [tenantId];
        const tuples = chunk.map(([task, dependsOn]) => (params.push(task, dependsOn), `($${params.length - 1}, $${params.length}, $1)`));
        await client.query(`INSERT INTO raw_task_dependencies (task_id, depends_on_task_id, tenant_id) VALUES ${tuples.join(', ')}`, params);
      }
    }
    return performance.now() - started;
  } finally {
    await client.end();
  }
}
