/**
 * The raw baselines, run as their own process: a bare Node `http` server that parses the JSON
 * body and answers 201 with the row, either after ONE `pg` INSERT ... RETURNING * through a pool
 * of the app's size (RAW_MODE=pg), or without touching a database (RAW_MODE=none). RAW_MODE=pg-tx
 * sends the statements the app sends for a create (START TRANSACTION, INSERT the agent, INSERT its
 * domain event, COMMIT): the difference to the app is then the framework, not the SQL.
 * Prints {"port": n} on stdout once it listens.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { INSERT_COLUMNS, RAW_EVENTS_TABLE, RAW_TABLE, rowValues } from './db.mjs';
import { uuidv7 } from './uuid-v7.mjs';

const mode = process.env.RAW_MODE;
if (!['pg', 'pg-tx', 'none'].includes(mode)) throw new Error('RAW_MODE must be pg, pg-tx or none');
const TENANT = 'bench';
const ACTOR = 'bench';
const BODY_LIMIT = 1024 * 1024;

const pool = mode !== 'none' ? new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_SIZE ?? 10) }) : undefined;
const insertSql = `INSERT INTO ${RAW_TABLE} (${INSERT_COLUMNS.join(', ')}) VALUES (${INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`;
const eventSql =
  `INSERT INTO ${RAW_EVENTS_TABLE} (tenant_id, type, aggregate_type, aggregate_id, aggregate_version, actor_id, correlation_id, payload) ` +
  `VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, occurred_at`;

async function createInTransaction(values) {
  const client = await pool.connect();
  try {
    await client.query('START TRANSACTION');
    const row = (await client.query(insertSql, values)).rows[0];
    const payload = JSON.stringify({ agentId: row.id, name: row.name, role: row.role, status: row.status });
    await client.query(eventSql, [row.tenant_id, 'agent.registered', 'agent', row.id, row.version, ACTOR, randomUUID(), payload]);
    await client.query('COMMIT');
    return row;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
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
  if (mode === 'pg-tx') return createInTransaction(values);
  if (mode === 'pg') return (await pool.query(insertSql, values)).rows[0];
  const now = new Date();
  return {
    id: uuidv7(), version: 1, tenant_id: TENANT, name: item.name, role: item.role, description: item.description ?? null,
    status: item.status ?? 'idle', metadata: item.metadata ?? {}, last_heartbeat_at: null,
    created_by: ACTOR, updated_by: ACTOR, created_at: now, updated_at: now,
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
