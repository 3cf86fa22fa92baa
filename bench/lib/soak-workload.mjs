/**
 * The soak's traffic: a weighted mix of reads and writes spread over several tenants (one API key
 * each), with every acknowledged write remembered so that the end of the run can check that it is
 * in PostgreSQL. An entity is never written by two requests at once, so a 409 is a real error.
 */
import { randomUUID } from 'node:crypto';

/** Operation → weight (share of the requests, in percent). */
export const MIX = {
  'agent.create': 12,
  'agent.patch': 8,
  'agent.heartbeat': 5,
  'agent.get': 12,
  'agent.list': 8,
  'workflow.create': 2,
  'task.create': 10,
  'task.patch': 8,
  'task.get': 8,
  'task.list': 6,
  'service-call.intake': 10,
  'integrated-object.import': 7,
  'events.list': 4,
};

const OPERATIONS = Object.entries(MIX).flatMap(([name, weight]) => Array(weight).fill(name));

const pickFrom = (list) => list[Math.floor(Math.random() * list.length)];

/** A tenant's entities as acknowledged by the API: id → the state the last 2xx answer reported. */
export function newTenant(tenantId, key) {
  return {
    tenantId,
    headers: { authorization: `Bearer ${key}` },
    agents: new Map(),
    workflows: [],
    tasks: new Map(),
    objects: new Map(),
    /** Accepted service calls: record id → the domain table its result becomes. */
    calls: new Map(),
    busy: new Set(),
  };
}

/** An entity of `map` that no request is writing now, or undefined. */
function idle(tenant, map, accept = () => true) {
  const ids = [...map.keys()];
  for (let tries = 0; tries < 8 && ids.length > 0; tries++) {
    const id = pickFrom(ids);
    if (!tenant.busy.has(id) && accept(map.get(id))) return id;
  }
  return undefined;
}

/**
 * The next request for `tenant`: `{ op, method, path, body, onSuccess(json), entity? }`. Writes whose
 * target does not exist yet fall back to a create.
 */
export function nextRequest(tenant) {
  const op = pickFrom(OPERATIONS);
  return requestFor(tenant, op) ?? requestFor(tenant, op.startsWith('task') ? 'task.create' : 'agent.create') ?? requestFor(tenant, 'agent.create');
}

/** The request of operation `op` for `tenant`, or undefined when it has nothing to apply it to. */
export function requestFor(tenant, op) {
  const request = build(tenant, op);
  return request && { ...request, op };
}

function build(tenant, op) {
  switch (op) {
    case 'agent.create': {
      const description = `soak ${randomUUID()}`;
      return {
        method: 'POST',
        path: '/api/v1/agents',
        body: { name: `soak-agent-${tenant.agents.size}`, role: 'soak', description, metadata: { soak: true } },
        onSuccess: (agent) => tenant.agents.set(agent.id, { version: agent.version, description }),
      };
    }
    case 'agent.patch': {
      const id = idle(tenant, tenant.agents);
      if (!id) return undefined;
      const known = tenant.agents.get(id);
      const description = `soak ${randomUUID()}`;
      return {
        entity: id,
        method: 'PATCH',
        path: `/api/v1/agents/${id}`,
        headers: { 'if-match': `"${known.version}"` },
        body: { description },
        onSuccess: (agent) => tenant.agents.set(id, { version: agent.version, description }),
      };
    }
    case 'agent.heartbeat': {
      const id = idle(tenant, tenant.agents);
      if (!id) return undefined;
      return { entity: id, method: 'POST', path: `/api/v1/agents/${id}/heartbeat`, body: {}, onSuccess: () => undefined };
    }
    case 'agent.get': {
      const id = idle(tenant, tenant.agents);
      return id ? { method: 'GET', path: `/api/v1/agents/${id}`, onSuccess: () => undefined } : undefined;
    }
    case 'agent.list':
      return { method: 'GET', path: '/api/v1/agents?limit=20&role=soak', onSuccess: () => undefined };
    case 'workflow.create':
      return {
        method: 'POST',
        path: '/api/v1/workflows',
        body: { description: `soak workflow ${tenant.workflows.length}`, input: { soak: true } },
        onSuccess: (workflow) => tenant.workflows.push(workflow.id),
      };
    case 'task.create': {
      if (tenant.workflows.length === 0) return undefined;
      const agentId = idle(tenant, tenant.agents);
      return {
        method: 'POST',
        path: '/api/v1/tasks',
        body: {
          workflowId: pickFrom(tenant.workflows),
          description: `soak task ${tenant.tasks.size}`,
          agentId,
          priority: tenant.tasks.size % 5,
          input: { n: tenant.tasks.size },
        },
        onSuccess: (task) => tenant.tasks.set(task.id, { version: task.version, status: task.status }),
      };
    }
    case 'task.patch': {
      const id = idle(tenant, tenant.tasks, (task) => task.status === 'pending' || task.status === 'running');
      if (!id) return undefined;
      const known = tenant.tasks.get(id);
      const body = known.status === 'pending' ? { status: 'running' } : { status: 'completed', output: { ok: true }, durationMs: 42 };
      return {
        entity: id,
        method: 'PATCH',
        path: `/api/v1/tasks/${id}`,
        headers: { 'if-match': `"${known.version}"` },
        body,
        onSuccess: (task) => tenant.tasks.set(id, { version: task.version, status: task.status }),
      };
    }
    case 'task.get': {
      const id = idle(tenant, tenant.tasks);
      return id ? { method: 'GET', path: `/api/v1/tasks/${id}`, onSuccess: () => undefined } : undefined;
    }
    case 'task.list':
      return tenant.workflows.length === 0
        ? undefined
        : { method: 'GET', path: `/api/v1/tasks?limit=20&workflowId=${pickFrom(tenant.workflows)}`, onSuccess: () => undefined };
    case 'service-call.intake': {
      const callId = `soak-${randomUUID()}`;
      const insight = Math.random() < 0.5;
      const body = insight
        ? {
            callId,
            namespace: 'knowledge',
            schema: 'insight@1',
            result: { summary: `soak ${callId}`, domain: 'soak', confidence: 0.5, content: 'Learned during the soak.' },
          }
        : { callId, namespace: 'core', schema: 'agent.registration@1', result: { name: callId, role: 'soak-intake' } };
      return {
        method: 'POST',
        path: '/api/v1/service-calls',
        body,
        onSuccess: (record) => tenant.calls.set(record.id, insight ? 'insights' : 'agents'),
      };
    }
    case 'integrated-object.import': {
      // Half new objects, half re-imports of a known one with new data.
      const reimport = tenant.objects.size > 0 && Math.random() < 0.5 ? idle(tenant, tenant.objects) : undefined;
      const originalId = reimport ? tenant.objects.get(reimport).originalId : randomUUID();
      const revision = randomUUID();
      return {
        entity: reimport,
        method: 'POST',
        path: '/api/v1/integrated-objects',
        body: {
          platform: 'soakdesk',
          originalId,
          objectType: 'ticket',
          companyId: 'soak',
          originalData: { revision },
          integratedContent: `revision ${revision}`,
        },
        onSuccess: (object) => tenant.objects.set(object.id, { version: object.version, originalId, revision }),
      };
    }
    case 'events.list':
      return { method: 'GET', path: '/api/v1/events?limit=20', onSuccess: () => undefined };
    default:
      throw new Error(`unknown operation ${op}`);
  }
}

/** Is the operation a write (whose 2xx must be in PostgreSQL)? */
export const isWrite = (op) => !/\.(get|list)$/.test(op);

/**
 * Every acknowledged write, checked against PostgreSQL: each created row exists, and each row shows
 * the version and content of the last 2xx answer about it. Returns `{ checked, missing, stale, details }`.
 */
export async function verifyAcknowledged(db, tenants) {
  const result = { checked: 0, missing: 0, stale: 0, details: [] };
  const note = (kind, text) => {
    result[kind]++;
    if (result.details.length < 20) result.details.push(text);
  };
  const rowsById = async (table, columns, ids) => {
    const { rows } = await db.query(`SELECT id, ${columns} FROM ${table} WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((row) => [row.id, row]));
  };
  for (const tenant of tenants) {
    const agents = await rowsById('agents', 'version, description', [...tenant.agents.keys()]);
    for (const [id, known] of tenant.agents) {
      result.checked++;
      const row = agents.get(id);
      if (!row) note('missing', `agent ${id}`);
      else if (row.version !== known.version || row.description !== known.description)
        note('stale', `agent ${id}: ${JSON.stringify(row)} vs ${JSON.stringify(known)}`);
    }
    const workflows = await rowsById('workflows', 'version', tenant.workflows);
    for (const id of tenant.workflows) {
      result.checked++;
      if (!workflows.has(id)) note('missing', `workflow ${id}`);
    }
    const tasks = await rowsById('tasks', 'version, status', [...tenant.tasks.keys()]);
    for (const [id, known] of tenant.tasks) {
      result.checked++;
      const row = tasks.get(id);
      if (!row) note('missing', `task ${id}`);
      else if (row.version !== known.version || row.status !== known.status) note('stale', `task ${id}: ${JSON.stringify(row)} vs ${JSON.stringify(known)}`);
    }
    const objects = await rowsById('integrated_objects', 'version, original_data', [...tenant.objects.keys()]);
    for (const [id, known] of tenant.objects) {
      result.checked++;
      const row = objects.get(id);
      if (!row) note('missing', `integrated object ${id}`);
      else if (row.version !== known.version || row.original_data.revision !== known.revision)
        note('stale', `integrated object ${id}: version ${row.version} vs ${known.version}`);
    }
  }
  return result;
}

/** Accepted service calls still pending (the drain is over when this reads 0). */
export async function pendingCalls(db, tenants) {
  const ids = tenants.flatMap((tenant) => [...tenant.calls.keys()]);
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM service_call_records WHERE id = ANY($1::uuid[]) AND status = 'pending'`, [ids]);
  return rows[0].n;
}

/**
 * Every accepted service call is persisted, and the domain row it became exists in its table.
 * Returns `{ accepted, persisted, withDomainRow, notPersisted: {status: n} }`.
 */
export async function verifyCalls(db, tenants) {
  const summary = { accepted: 0, persisted: 0, withDomainRow: 0, notPersisted: {} };
  for (const table of ['agents', 'insights']) {
    const ids = tenants.flatMap((tenant) => [...tenant.calls].filter(([, target]) => target === table).map(([id]) => id));
    summary.accepted += ids.length;
    const { rows } = await db.query(
      `SELECT r.status, count(*)::int AS n, count(d.id)::int AS with_row
       FROM service_call_records r
       LEFT JOIN persisted_chunks c ON c.tenant_id = r.tenant_id AND c.call_id = r.call_id AND c.schema_identity = r.schema_identity
       LEFT JOIN ${table} d ON d.id = c.domain_id AND d.tenant_id = r.tenant_id
       WHERE r.id = ANY($1::uuid[]) GROUP BY r.status`,
      [ids],
    );
    for (const row of rows) {
      if (row.status === 'persisted') {
        summary.persisted += row.n;
        summary.withDomainRow += row.with_row;
      } else summary.notPersisted[row.status] = (summary.notPersisted[row.status] ?? 0) + row.n;
    }
    const found = rows.reduce((sum, row) => sum + row.n, 0);
    if (found < ids.length) summary.notPersisted.missing = (summary.notPersisted.missing ?? 0) + ids.length - found;
  }
  return summary;
}

/**
 * Rows in PostgreSQL beyond what was acknowledged (a create answered with an error that wrote
 * anyway, or written twice): per table, rows of the soak's tenants minus acknowledged rows.
 * A create that got no answer at all may or may not have written: those are `unanswered`.
 */
export async function extraRows(db, tenants) {
  const ids = tenants.map((tenant) => tenant.tenantId);
  const expected = {
    agents: tenants.reduce((n, t) => n + t.agents.size, 0),
    workflows: tenants.reduce((n, t) => n + t.workflows.length, 0),
    tasks: tenants.reduce((n, t) => n + t.tasks.size, 0),
    integrated_objects: tenants.reduce((n, t) => n + t.objects.size, 0),
    service_call_records: tenants.reduce((n, t) => n + t.calls.size, 0),
  };
  // Agents also come from persisted agent.registration@1 results.
  const { rows: registered } = await db.query(`SELECT count(*)::int AS n FROM persisted_chunks WHERE tenant_id = ANY($1) AND domain_type = 'agent'`, [ids]);
  expected.agents += registered[0].n;
  const extra = {};
  for (const [table, n] of Object.entries(expected)) {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = ANY($1)`, [ids]);
    extra[table] = rows[0].n - n;
  }
  return extra;
}
