import { createServer, RequestListener, Server } from 'node:http';
import { BlockList, isIP, Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { HttpConfig } from '../../config/http.config';
import { buildProblem, ErrorCode, PROBLEM_CONTENT_TYPE, problemHeaders } from '../errors';

/** The named ranges TRUST_PROXY accepts, as proxy-addr (Fastify's) understands them. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/** Whether a peer address is one of the proxies listed in TRUST_PROXY. */
export function trustedProxyMatcher(entries: readonly string[]): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const entry of entries.flatMap((each) => NAMED_RANGES[each] ?? [each])) {
    const [address, bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return (address) => {
    if (!address) return false;
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    return list.check(plain, isIP(plain) === 6 ? 'ipv6' : 'ipv4');
  };
}

/** A raw HTTP/1.1 answer with a problem+json body, for a socket no request object owns (yet). */
function rawProblem(status: number, reason: string, code: ErrorCode, detail: string, extra: Record<string, string> = {}): string {
  const problem = buildProblem(code, detail, { status });
  const body = JSON.stringify(problem);
  const headers = {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    ...problemHeaders(problem),
    ...extra,
  };
  return `HTTP/1.1 ${status} ${reason}\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n')}\r\n\r\n${body}`;
}

const logger = new Logger('Http');

/**
 * Fastify's `clientErrorHandler`: a request that never became one (too slow, malformed, oversized
 * headers) gets a problem+json answer when the socket can still take one, and a quiet log line:
 * it is the client's failure, not the service's.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // A connection that never sent a byte (a browser's preconnect, a port scan) is closed without a word.
  if (socket.bytesRead === 0) {
    socket.destroy();
    return;
  }
  let answer: string;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    answer = rawProblem(408, 'Request Timeout', ErrorCode.RequestIncomplete, 'The request (headers and body) was not received within the time limit');
  } else if (error.code === 'HPE_HEADER_OVERFLOW') {
    answer = rawProblem(431, 'Request Header Fields Too Large', ErrorCode.BadRequest, 'The request headers are too large');
  } else {
    answer = rawProblem(400, 'Bad Request', ErrorCode.BadRequest, 'The request is not valid HTTP');
  }
  logger.log(`Refused a connection's request from ${socket.remoteAddress}: ${error.code ?? error.message}`);
  if (socket.writable && socket.bytesWritten === 0) socket.end(answer);
  socket.destroy();
}

/** Counts what each client address holds open; refuses past `max`. */
class PerAddressCount {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes one for `address`; false (nothing taken) when it already holds `max`. */
  take(address: string): boolean {
    const held = this.open.get(address) ?? 0;
    if (held >= this.max) return false;
    this.open.set(address, held + 1);
    return true;
  }

  release(address: string): void {
    const held = (this.open.get(address) ?? 1) - 1;
    if (held <= 0) this.open.delete(address);
    else this.open.set(address, held);
  }
}

/**
 * The HTTP server with every time limit set when it is created (Node reads some only then):
 * `REQUEST_TIMEOUT_MS` for the headers and for the whole request, checked often enough to cut a
 * slow client near the limit rather than at Node's default 30-second sweep; idle sockets after
 * `CONNECTION_TIMEOUT_MS`, idle keep-alive connections after `KEEP_ALIVE_TIMEOUT_MS`. A client
 * address holding `MAX_CONNECTIONS_PER_ADDRESS` connections gets a 429 for its next one; a proxy
 * listed in TRUST_PROXY is not capped by its connections (its clients are, per request, by
 * `limitRequestsPerClient`).
 */
export function createHttpServer(handler: RequestListener, http: HttpConfig): Server {
  const server = createServer(
    {
      requestTimeout: http.requestTimeoutMs,
      headersTimeout: http.requestTimeoutMs,
      keepAliveTimeout: http.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(http.requestTimeoutMs / 4))),
    },
    handler,
  );
  server.setTimeout(http.connectionTimeoutMs);
  if (http.maxConnectionsPerAddress > 0) {
    const isProxy = trustedProxyMatcher(http.trustedProxies);
    const connections = new PerAddressCount(http.maxConnectionsPerAddress);
    server.on('connection', (socket: Socket) => {
      const address = socket.remoteAddress;
      if (!address || isProxy(address)) return;
      if (!connections.take(address)) {
        logger.warn(`Refused a connection from ${address}: it already holds ${http.maxConnectionsPerAddress} (MAX_CONNECTIONS_PER_ADDRESS)`);
        socket.end(
          rawProblem(429, 'Too Many Requests', ErrorCode.RateLimited, `At most ${http.maxConnectionsPerAddress} connections per client address`, {
            'Retry-After': '1',
          }),
        );
        return;
      }
      socket.once('close', () => connections.release(address));
    });
  }
  return server;
}

/**
 * The cap of MAX_CONNECTIONS_PER_ADDRESS for clients behind a trusted proxy, whose connections are
 * the proxy's: requests in flight per client address (X-Forwarded-For), 429 past it.
 */
export function limitRequestsPerClient(fastify: FastifyInstance, http: HttpConfig): void {
  if (http.maxConnectionsPerAddress <= 0 || http.trustedProxies.length === 0) return;
  const isProxy = trustedProxyMatcher(http.trustedProxies);
  const inFlight = new PerAddressCount(http.maxConnectionsPerAddress);
  fastify.addHook('onRequest', async (request, reply) => {
    if (!isProxy(request.socket.remoteAddress) || request.ip === request.socket.remoteAddress) return;
    const client = request.ip;
    if (!inFlight.take(client)) {
      const problem = buildProblem(ErrorCode.RateLimited, `At most ${http.maxConnectionsPerAddress} requests in flight per client address`, {
        instance: request.url,
        correlationId: String(request.id),
        extensions: { retryAfterSeconds: 1 },
      });
      await reply.status(429).headers(problemHeaders(problem)).header('Content-Type', PROBLEM_CONTENT_TYPE).send(problem);
      return;
    }
    reply.raw.once('close', () => inFlight.release(client));
  });
}
