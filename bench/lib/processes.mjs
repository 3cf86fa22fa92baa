import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const children = new Set();

export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a child whose output is kept (last lines only) to explain a failure. */
function start(args, env, name) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const keep = (chunk) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  const handle = { name, child, tail, exited };
  children.add(handle);
  void exited.then(() => children.delete(handle));
  return handle;
}

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
export async function stop(handle, graceMs = 10_000) {
  if (handle.child.exitCode !== null || handle.child.signalCode !== null) return handle.exited;
  handle.child.kill('SIGTERM');
  const timer = setTimeout(() => handle.child.kill('SIGKILL'), graceMs);
  try {
    return await handle.exited;
  } finally {
    clearTimeout(timer);
  }
}

export async function stopAll() {
  await Promise.all([...children].map((handle) => stop(handle)));
}

function failure(handle, message) {
  return new Error(`${message}\n--- last output of ${handle.name} ---\n${handle.tail.join('\n')}`);
}

/** Rate limits the load never reaches: every request is still counted in Redis (its cost is measured), none refused. */
export const UNREACHED_RATE_LIMITS = { RATE_LIMIT_DEFAULT: '1000000000', RATE_LIMIT_STRICT: '1000000000' };

/** The environment of an app process of a multi-process stack (server profile, request logging off). */
export function stackEnv({ databaseUrl, redisUrl, queuePrefix, poolSize }, extra = {}) {
  return {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: String(poolSize),
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    AUTH: 'apikey',
    NODE_ENV: 'production',
    ...extra,
  };
}

/** Starts `node dist/main.js` and resolves once GET /health/ready answers 200. */
export async function startApp(env, { timeoutMs = 60_000, nodeArgs = [] } = {}) {
  const handle = start([...nodeArgs, 'dist/main.js'], env, 'app');
  const base = `http://${env.HOST}:${env.PORT}`;
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void handle.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw failure(handle, `The app exited before it was ready (${JSON.stringify(await handle.exited)})`);
    try {
      const response = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return { ...handle, base };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop(handle);
  throw failure(handle, `GET /health/ready did not answer 200 within ${timeoutMs} ms`);
}

/** Creates an API key with the app's own CLI and returns the secret. */
export async function createApiKey(env, tenant, name) {
  const { stdout } = await new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['dist/cli/main.js', 'api-keys', 'create', '--tenant', tenant, '--name', name],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, out, err) => (error ? reject(new Error(`api-keys create failed: ${error.message}\n${out}\n${err}`)) : resolve({ stdout: out })),
    );
  });
  const match = /Key \(shown once, store it now\): (\S+)/.exec(stdout);
  if (!match) throw new Error(`Could not find the key in the CLI output:\n${stdout}`);
  return match[1];
}

/** Starts bench/lib/raw-server.mjs in the given mode and resolves with its base URL. */
export async function startRawServer(mode, env) {
  const handle = start([fileURLToPath(new URL('./raw-server.mjs', import.meta.url))], { ...env, RAW_MODE: mode }, `raw server (${mode})`);
  const port = await new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) {
        handle.child.stdout.off('data', onData);
        resolve(JSON.parse(line).port);
      }
    };
    handle.child.stdout.on('data', onData);
    void handle.exited.then((status) => reject(failure(handle, `raw server exited early (${JSON.stringify(status)})`)));
  });
  return { ...handle, base: `http://127.0.0.1:${port}` };
}
