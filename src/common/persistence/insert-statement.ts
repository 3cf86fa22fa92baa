import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { hydrate } from './hydrate';
import { IdempotencyClaim, transactionClaiming } from './idempotency-claim';
import { jsonRows, jsonRowsField } from './json-rows';

export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * What `cache` (a Map or WeakMap) keeps under `key`, made by `make` the first time. The texts of
 * statements that depend only on their shape are kept this way: built once, a text is then the
 * same string every time, and a statement prepared by its text finds its name
 * (preparedStatementName) without reading the text again to hash it.
 */
export function kept<K, V>(cache: { get(key: K): V | undefined; set(key: K, value: V): unknown }, key: K, make: () => V): V {
  let value = cache.get(key);
  if (value === undefined) cache.set(key, (value = make()));
  return value;
}

/** `$first, $first+1, …`: `count` numbered parameters. */
export function placeholders(first: number, count: number): string {
  return Array.from({ length: count }, (_, i) => `$${first + i}`).join(', ');
}

/**
 * `($1, $2), ($3, $4)` for rows of values, appending them to `params` and numbering on from there.
 * `casts` types the columns (`['uuid', 'boolean']` → `$1::uuid, $2::boolean`), which a VALUES list
 * joined in an UPDATE … FROM needs (its parameters would otherwise all be text).
 */
export function valuesClause(rows: unknown[][], params: unknown[], casts?: string[]): string {
  return rows
    .map((row) => {
      const numbered = row.map((value, column) => {
        params.push(value);
        return casts ? `$${params.length}::${casts[column]}` : `$${params.length}`;
      });
      return `(${numbered.join(', ')})`;
    })
    .join(', ');
}

/**
 * A multi-row `INSERT INTO <table> (<columns>) …` for entity rows, built from the entity's metadata
 * (column names, json encoding) without TypeORM's per-query builder cost. Every row must set the
 * same properties. Parameters are appended to `params`. One row is a VALUES row of fixed shape (a
 * single create's statement, prepared once per connection). Several are ONE parameter, a JSON
 * array of rows that PostgreSQL expands (see jsonRowsInsert): a 100-row VALUES list of an agent's
 * 15 columns is 1,500 parameters for the driver to encode and for PostgreSQL to parse and plan,
 * and its text changes with every number of rows.
 */
export function insertStatement<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, rows: Partial<T>[], params: unknown[]): string {
  const metadata = manager.connection.getMetadata(target);
  const driver = manager.connection.driver;
  if (rows.length === 1) return oneRowInsert(metadata, driver, rows[0], params);
  const columns = columnsOf(metadata, Object.keys(rows[0]));
  const head = insertHead(metadata, columns);
  const json = jsonRowsInsert(driver, columns, rows);
  if (json) {
    params.push(json.param);
    return `${head} SELECT ${json.select(`$${params.length}`)}`;
  }
  return `${head} VALUES ${valuesClause(
    rows.map((row) => rowValues(driver, columns, row)),
    params,
  )}`;
}

type Driver = EntityManager['connection']['driver'];

/** A one-row insert's text and columns, by the row's properties and its first parameter's number. */
const oneRowInserts = new WeakMap<EntityMetadata, Map<string, { columns: ColumnMetadata[]; text: string }>>();

/** One row's insert: its values appended to `params`, its text kept per entity, property list and first parameter number (see kept). */
function oneRowInsert<T extends ObjectLiteral>(metadata: EntityMetadata, driver: Driver, row: Partial<T>, params: unknown[]): string {
  const properties = Object.keys(row);
  const shapes = kept(oneRowInserts, metadata, () => new Map());
  const shape = kept(shapes, `${params.length} ${properties.join(' ')}`, () => {
    const columns = columnsOf(metadata, properties);
    return { columns, text: `${insertHead(metadata, columns)} VALUES (${placeholders(params.length + 1, columns.length)})` };
  });
  params.push(...rowValues(driver, shape.columns, row));
  return shape.text;
}

function columnsOf(metadata: EntityMetadata, properties: string[]): ColumnMetadata[] {
  return properties.map((property) => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.targetName} has no column for property ${property}`);
    return column;
  });
}

function insertHead(metadata: EntityMetadata, columns: ColumnMetadata[]): string {
  return `INSERT INTO "${metadata.tableName}" (${columns.map((column) => `"${column.databaseName}"`).join(', ')})`;
}

/** A row's values as the VALUES form sends them (TypeORM's conversions), in the order of `columns`. */
function rowValues<T extends ObjectLiteral>(driver: Driver, columns: ColumnMetadata[], row: Partial<T>): unknown[] {
  return columns.map((column) => driver.preparePersistentValue(row[column.propertyName as keyof T], column));
}

/** Column types a JSON row carries exactly (see jsonRowsField), besides `text` and `jsonb`. */
const JSON_CASTS = new Set(['uuid', 'int', 'bigint', 'double precision', 'boolean', 'timestamptz', 'tsvector']);

/**
 * The rows as one JSON parameter and the select list that reads them (`… FROM
 * jsonb_array_elements($n::jsonb) AS r`, in their order): the same values the VALUES form sends
 * (TypeORM's conversions), a `jsonb` column as its JSON value (a null, SQL NULL as in the VALUES
 * form). Undefined when a value has no exact JSON form (a number that is not finite, a bigint, an
 * invalid date), or a column's type is not one of the plain types above or has a transformer: the VALUES
 * form then keeps PostgreSQL's own errors and conversions.
 */
function jsonRowsInsert<T extends ObjectLiteral>(
  driver: Driver,
  columns: ColumnMetadata[],
  rows: Partial<T>[],
): { param: string; select: (param: string) => string } | undefined {
  const kinds = columns.map((column) => (typeof column.type === 'string' && !column.isArray && !column.transformer ? column.type : undefined));
  if (kinds.some((kind) => kind === undefined || (kind !== 'text' && kind !== 'jsonb' && !JSON_CASTS.has(kind)))) return undefined;
  const values: unknown[][] = [];
  for (const row of rows) {
    const value = columns.map((column, i) => {
      const given = row[column.propertyName as keyof T] as unknown;
      return kinds[i] === 'jsonb' ? given : driver.preparePersistentValue(given, column);
    });
    if (!value.every(exactInJson)) return undefined;
    values.push(value);
  }
  const fields = kinds.map((kind, i) => (kind === 'jsonb' ? `NULLIF(${jsonRowsField(i, kind)}, 'null'::jsonb)` : jsonRowsField(i, kind!)));
  return { param: jsonRows(values), select: (param) => `${fields.join(', ')} FROM jsonb_array_elements(${param}::jsonb) AS r` };
}

function exactInJson(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'bigint') return false;
  if (value instanceof Date) return !Number.isNaN(value.getTime());
  return true;
}

const statementNames = new Map<string, string>();

/** The name a statement is prepared under: the same text always gets the same name. */
export function preparedStatementName(sql: string): string {
  return kept(statementNames, sql, () => `al_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`);
}

/**
 * Runs a statement as a named prepared statement: PostgreSQL parses and plans it once per
 * connection instead of on every call (for the CTE of a create, that halves the database's work).
 * Use it only for statements of a fixed shape, or every shape stays prepared on every connection.
 * A write of a request with an Idempotency-Key to claim runs in a transaction with the key instead.
 */
export async function queryPrepared(dataSource: DataSource, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  if (IdempotencyClaim.pending()) return transactionClaiming(dataSource, (manager) => manager.query(sql, params));
  const name = preparedStatementName(sql);
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  // Not pool.query(): when the pool is busy it runs the statement in the flow of whoever frees a
  // connection, with that flow's tenant scope. Awaiting connect() keeps the caller's own.
  const client = await pool.connect();
  try {
    const result = await client.query({ name, text: sql, values: params });
    return result.rows as Record<string, unknown>[];
  } finally {
    client.release();
  }
}

/**
 * Runs a statement of fixed text as a named prepared statement on the connection of the
 * transaction `manager` belongs to (see queryPrepared), for statements that run at every step of
 * long work, like the drain's claim: parsed and planned once per connection instead of every time.
 * Only for a statement whose plan does not depend on its parameters' values: PostgreSQL switches
 * a prepared statement to a generic plan after five runs.
 */
export async function queryPreparedIn<Row = Record<string, unknown>>(manager: EntityManager, sql: string, params: unknown[]): Promise<Row[]> {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('queryPreparedIn needs the manager of a transaction');
  const client = (await runner.connect()) as PoolClient;
  const result = await client.query({ name: preparedStatementName(sql), text: sql, values: params });
  return result.rows as Row[];
}

/** Inserts rows in the transaction of `manager` and returns them as stored (defaults filled in). */
export async function insertReturning<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, rows: Partial<T>[]): Promise<T[]> {
  const params: unknown[] = [];
  const stored: Record<string, unknown>[] = await manager.query(`${insertStatement(manager, target, rows, params)} RETURNING *`, params);
  return stored.map((row) => hydrate(manager, target, row));
}
