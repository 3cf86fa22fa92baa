/**
 * The raw baselines, run as their own process: a bare Node `http` server that parses the JSON
 * body and answers 201 with the row, either after ONE `pg` INSERT ... RETURNING * through a pool
 * of the app's size (RAW_MODE=pg), or without touching a database (RAW_MODE=none). RAW_MODE=pg-cte
 * sends the statement the app sends for a create (the agent and its domain event inserted by one
 * statement with two data-modifying CTEs): the difference to the app is then the framework, not the SQL.
 * Prints {"port": n} on stdout once it listens.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { INSERT_COLUMNS, RAW_EVENTS_TABLE, RAW_TABLE, rowValues } from './db.mjs';
import { uuidv7 } from '../../dist/common/persistence/uuid-v7.js';

const mode = process.env.RAW_MODE;
if (!['pg', 'pg-cte', 'none'].includes(mode)) throw new Error('RAW_MODE must be pg, pg-cte or none');
const TENANT = 'bench';
const ACTOR = 'bench';
const BODY_LIMIT = 1024 * 1024;

const pool = mode !== 'none' ? new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) }) : undefined;
const insertSql = `INSERT INTO ${RAW_TABLE} (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`;
const n = INSERT_COLUMNS.length;
const cteSql =
  `WITH inserted AS (INSERT INTO ${RAW_TABLE} (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *), ` +
  `events AS (INSERT INTO ${RAW_EVENTS_TABLE} (tenant_id, type, aggregate_type, aggregate_id, aggregate_version, actor_id, correlation_id, payload) ` +
  `VALUES (${Array.from({ length: 8 }, (_, i) => `$${n + i + 1}`).join(', ')}) RETURNING id, occurred_at, aggregate_id) ` +
  `SELECT inserted.*, events.id AS event_id_, events.occurred_at AS event_occurred_at_ FROM inserted JOIN events ON events.aggregate_id = inserted.id`;

/** The agent and its domain event in one named prepared statement, as the app writes them. */
async function createWithEvent(values, item) {
  const [id, tenantId] = values;
  const payload = JSON.stringify({ agentId: id, name: item.name, role: item.role, status: item.status ?? 'idle' });
  const eventValues = [tenantId, 'agent.registered', 'agent', id, 1, ACTOR, randomUUID(), payload];
  // Prepared once per connection, as the app prepares its single-row create.
  return (await pool.query({ name: 'raw_cte', text: cteSql, values: [...values, ...eventValues] })).rows[0];
}

function toResponse(row) {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    description: row.description,
    status: row.status,
    metadata: row.metadata,
    lastHeartbeatAt: row.last_heartbeat_at ? row.last_heartbeat_at.toISOString() : null,
    version: row.version,
    createdBy: row.created_by,
    updatedBy: row.updated_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function create(item) {
  const values = rowValues(TENANT, ACTOR, item);
  if (mode === 'pg-cte') return createWithEvent(values, item);
  if (mode === 'pg') return (await pool.query(insertSql, values)).rows[0];
  const now = new Date();
  return {
    id: uuidv7(),
    version: 1,
    tenant_id: TENANT,
    name: item.name,
    role: item.role,
    description: item.description ?? null,
    status: item.status ?? 'idle',
    metadata: item.metadata ?? {},
    last_heartbeat_at: null,
    created_by: ACTOR,
    updated_by: ACTOR,
    created_at: now,
    updated_at: now,
  };
}

function send(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/agents') return send(res, 404, { title: 'Not Found' });
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size > BODY_LIMIT) req.destroy();
    else chunks.push(chunk);
  });
  req.on('end', () => {
    let item;
    try {
      item = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, { title: 'Bad Request' });
    }
    if (typeof item?.name !== 'string' || typeof item?.role !== 'string') return send(res, 400, { title: 'Bad Request' });
    create(item).then(
      (row) => send(res, 201, toResponse(row)),
      (error) => send(res, 500, { title: 'Internal Server Error', detail: error.message }),
    );
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});

process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  Promise.resolve(pool?.end()).finally(() => process.exit(0));
});
