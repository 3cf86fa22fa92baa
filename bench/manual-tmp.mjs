import { startApp, createApiKey, freePort, stopAll } from '/work/main/bench/lib/processes.mjs';
import { recreateDatabase } from '/work/main/bench/lib/db.mjs';
import pg from 'pg';
await recreateDatabase('postgres://postgres@127.0.0.1:5432/postgres', 'agent_ledger_bench');
const port = await freePort();
const url = 'postgres://postgres@127.0.0.1:5432/agent_ledger_bench';
const app = await startApp({ DATABASE_URL: url, MIGRATIONS_RUN: 'true', REDIS_URL: 'redis://127.0.0.1:6379/14', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', AUTH: 'apikey' });
const key = await createApiKey({ DATABASE_URL: url }, 'bench', 'bench');
const c = new pg.Client(url); await c.connect(); await c.query("ALTER DATABASE agent_ledger_bench SET log_statement='all'"); await c.end();
// new pool connections pick it up only on connect: restart app
await stopAll();
const app2 = await startApp({ DATABASE_URL: url, MIGRATIONS_RUN: 'true', REDIS_URL: 'redis://127.0.0.1:6379/14', LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', AUTH: 'apikey' });
const body = JSON.stringify({ name: 'x', role: 'y' });
console.log('MARK START');
for (let i = 0; i < 2; i++) { const r = await fetch(app2.base + '/api/v1/agents', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + key }, body }); console.log(r.status, await r.text()); }
const c2 = new pg.Client(url); await c2.connect(); await c2.query("ALTER DATABASE agent_ledger_bench RESET log_statement"); await c2.end();
await stopAll();
