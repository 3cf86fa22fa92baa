import { isIP } from 'node:net';
import { registerAs } from '@nestjs/config';
import { EnvReader } from './env-readers';

export interface HttpConfig {
  /** Browser origins allowed by CORS, exactly as browsers send them; empty: CORS is off. */
  corsOrigins: string[];
  /** A handler still running after this long is answered 503; also the time to receive a request. */
  requestTimeoutMs: number;
  /** A socket with no traffic for this long is closed (0: never). */
  connectionTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** `/docs` and `/docs-json` need an API key (as the admin UI does). */
  docsAuth: boolean;
  /**
   * Proxies whose X-Forwarded-For is believed (addresses, CIDR ranges or `loopback`, `linklocal`,
   * `uniquelocal`); empty: the client address is the connection's peer.
   */
  trustedProxies: string[];
  /**
   * Where users reach the service (`PUBLIC_URL`). When it starts with `https://` every answer asks
   * browsers to stay on https (HSTS, `upgrade-insecure-requests`); otherwise only requests that a
   * trusted proxy forwarded from https do.
   */
  publicUrl?: string;
  /**
   * Connections one client address may hold open at once (requests in flight, for clients behind a
   * proxy listed in TRUST_PROXY, whose connections are the proxy's); 0: no cap.
   */
  maxConnectionsPerAddress: number;
  /** A statement of an HTTP request running longer than this is cancelled by PostgreSQL (0: never). */
  statementTimeoutMs: number;
}

const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address (`10.0.0.5`, `::1`), a CIDR range (`10.0.0.0/8`, `fd00::/8`) or one of PROXY_RANGES. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

/** `10.0.0.0/8,loopback` → the proxies to trust; anything else (including "everyone") is reported. */
function readTrustedProxies(reader: EnvReader, name: string): string[] {
  const raw = reader.string(name);
  if (raw === undefined) return [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    if (!isProxyEntry(entry)) {
      reader.problems.push(
        `${name} must list the addresses or CIDR ranges of your proxies (or loopback, linklocal, uniquelocal), separated by commas (got "${entry}"); ` +
          'trusting every sender would let any client choose its address',
      );
    }
  }
  return entries;
}

/** `https://app.example.com,http://localhost:5173` → exact origins; anything else is reported. */
function readOrigins(reader: EnvReader, name: string): string[] {
  const raw = reader.string(name);
  if (raw === undefined) return [];
  const origins = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const origin of origins) {
    let exact = false;
    try {
      const url = new URL(origin);
      exact = (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
    } catch {
      // reported below
    }
    if (!exact) {
      reader.problems.push(`${name} must list exact origins such as https://app.example.com, separated by commas (got "${origin}")`);
    }
  }
  return origins;
}

export function readHttpConfig(reader: EnvReader): HttpConfig {
  const requestTimeoutMs = reader.int('REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  const connectionTimeoutMs = reader.int('CONNECTION_TIMEOUT_MS', 60_000, 0, 3_600_000);
  if (connectionTimeoutMs !== 0 && connectionTimeoutMs <= requestTimeoutMs) {
    reader.problems.push(
      `CONNECTION_TIMEOUT_MS (${connectionTimeoutMs}) must be 0 or longer than REQUEST_TIMEOUT_MS (${requestTimeoutMs}), or a slow request loses its connection before its 503`,
    );
  }
  return {
    corsOrigins: readOrigins(reader, 'CORS_ORIGINS'),
    requestTimeoutMs,
    connectionTimeoutMs,
    keepAliveTimeoutMs: reader.int('KEEP_ALIVE_TIMEOUT_MS', 72_000, 1000, 3_600_000),
    docsAuth: reader.bool('DOCS_AUTH', reader.string('NODE_ENV') === 'production'),
    trustedProxies: readTrustedProxies(reader, 'TRUST_PROXY'),
    publicUrl: reader.url('PUBLIC_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    maxConnectionsPerAddress: reader.int('MAX_CONNECTIONS_PER_ADDRESS', 256, 0, 1_000_000),
    statementTimeoutMs: reader.int('DATABASE_STATEMENT_TIMEOUT_MS', requestTimeoutMs, 0, 3_600_000),
  };
}

export const httpConfig = registerAs('http', (): HttpConfig => readHttpConfig(new EnvReader(process.env)));
