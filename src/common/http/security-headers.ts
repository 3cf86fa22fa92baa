import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet from 'helmet';

/** What the UIs (Bull Board, the OpenAPI page) need, and nothing from another host. */
const DIRECTIVES = {
  defaultSrc: [`'self'`],
  styleSrc: [`'self'`, `'unsafe-inline'`],
  imgSrc: [`'self'`, 'data:'],
  scriptSrc: [`'self'`, `'unsafe-inline'`],
  fontSrc: [`'self'`, 'data:'],
};

type Headers = [name: string, value: string][];

/**
 * The headers a helmet middleware sets. Ours depend on nothing in the request (no nonce, no
 * function directive), so they are computed once and copied onto every answer: running helmet's
 * eleven middlewares per request cost more than the rest of the header handling together.
 */
export function headersOf(middleware: ReturnType<typeof helmet>): Headers {
  const headers: Headers = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let failure: unknown;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => (failure = error));
  if (failure) throw failure instanceof Error ? failure : new Error('helmet refused its options');
  return headers;
}

/**
 * helmet's headers, in two sets. Asking a browser to upgrade to https (`upgrade-insecure-requests`,
 * HSTS) is right only when the service is reached over TLS: over plain HTTP on a host name that is
 * not loopback it makes the browser fetch every asset of a UI over https, which fails, and the page
 * stays blank. So the upgrade is asked for only when the service knows the request came over TLS:
 * `PUBLIC_URL` is https, or the request arrived over TLS (directly, or through a proxy listed in
 * TRUST_PROXY that says so in `X-Forwarded-Proto`; Fastify believes that header from those only).
 * Every answer carries its X-Request-Id too, set in the same hook.
 */
export function addSecurityHeaders(fastify: FastifyInstance, publicUrl: string | undefined): void {
  const overTls = headersOf(helmet({ contentSecurityPolicy: { directives: DIRECTIVES } }));
  const plain = headersOf(helmet({ contentSecurityPolicy: { directives: { ...DIRECTIVES, upgradeInsecureRequests: null } }, strictTransportSecurity: false }));
  const alwaysTls = publicUrl?.startsWith('https://') === true;
  const servedOverTls = (request: FastifyRequest) => alwaysTls || request.protocol === 'https';
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    for (const [name, value] of servedOverTls(request) ? overTls : plain) raw.setHeader(name, value);
    raw.setHeader('X-Request-Id', String(request.id));
    done();
  });
}
