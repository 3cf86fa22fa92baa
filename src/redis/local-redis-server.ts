import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { Logger } from '@nestjs/common';
import { RedisConfig } from '../config/redis.config';

export interface RedisEndpoint {
  url: string;
  /** Stops the private redis-server this process started, if any. */
  stop(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  constructor(url: string) {
    super(
      `Redis is not reachable at ${url} and no redis-server is on PATH: install redis-server (e.g. apt-get install redis-server), or set REDIS_URL to a running Redis`,
    );
    this.name = 'RedisUnavailableError';
  }
}

const logger = new Logger('Redis');

/** True when something at host:port answers a Redis PING within the timeout. */
export function redisAnswers(url: string, timeoutMs = 700): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) });
    const finish = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(/^[+-]/.test(data.toString('utf8'))));
  });
}

function findOnPath(binary: string, path: string): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} at start-up`);
    if (await redisAnswers(url, 300)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis-server did not answer at ${url} within ${timeoutMs} ms`);
}

/**
 * The Redis the servers of this configuration use, without starting one: REDIS_URL as it is, else
 * the default address or a private redis-server left running under DATA_DIR/redis if one answers.
 */
export async function findRunningRedis(config: RedisConfig, dataDir: string): Promise<string | undefined> {
  if (!config.defaulted || (await redisAnswers(config.url))) return config.url;
  const previousPort = readPort(join(dataDir, 'redis', 'port'));
  if (previousPort && (await redisAnswers(`redis://127.0.0.1:${previousPort}`))) return `redis://127.0.0.1:${previousPort}`;
  return undefined;
}

/**
 * Finds the Redis to use. An explicit REDIS_URL is used as it is. Otherwise the default
 * address is tried, then a private redis-server left running under DATA_DIR/redis, and at last
 * a new private redis-server is started on loopback (stopped again on shutdown).
 */
export async function resolveRedisEndpoint(config: RedisConfig, dataDir: string): Promise<RedisEndpoint> {
  const noop = async () => undefined;
  const running = await findRunningRedis(config, dataDir);
  if (running) {
    if (running !== config.url) logger.log(`Using the private redis-server already running on ${new URL(running).host}`);
    return { url: running, stop: noop };
  }

  const dir = join(dataDir, 'redis');
  const portFile = join(dir, 'port');

  const binary = findOnPath('redis-server', config.serverSearchPath);
  if (!binary) throw new RedisUnavailableError(config.url);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const child = spawn(binary, ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'yes', '--protected-mode', 'yes'], {
    stdio: 'ignore',
  });
  await waitUntilAnswering(url, child, 5000).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  writeFileSync(portFile, String(port));
  logger.log(`Nothing answered at ${config.url}: started a private redis-server on ${url} (files in ${dir})`);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function readPort(file: string): number | undefined {
  try {
    const port = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** ioredis options for a redis:// or rediss:// URL (BullMQ takes options, not URLs). */
export function redisOptionsFromUrl(url: string): { host: string; port: number; db: number; username?: string; password?: string; tls?: object } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || 6379),
    db: Number(parsed.pathname.replace('/', '') || 0),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
