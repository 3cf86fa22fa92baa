import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
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
 * What an API answer (JSON) carries, as the OWASP REST Security Cheat Sheet lists for APIs: no
 * caching, no framing, no sniffing, and a policy that lets a JSON document load nothing. The
 * rest of helmet's set (referrer, cross-origin and download policies, a CSP for pages) is for
 * HTML pages: on every API answer it was about 600 bytes, set, written and parsed each time
 * (leaving it out took about 7 % of the server's CPU off a create).
 */
const API_HELMET = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: [`'none'`], frameAncestors: [`'none'`] } },
  xFrameOptions: { action: 'deny' as const },
  crossOriginOpenerPolicy: false,
  crossOriginResourcePolicy: false,
  originAgentCluster: false,
  referrerPolicy: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
};
const NO_STORE: Headers = [['Cache-Control', 'no-store']];

/**
 * helmet's headers, in two sets (pages, and API answers under `apiPath`), each in two variants.
 * Asking a browser to upgrade to https (`upgrade-insecure-requests`, HSTS) is right only when
 * the service is reached over TLS: over plain HTTP on a host name that is not loopback it makes
 * the browser fetch every asset of a UI over https, which fails, and the page stays blank. So the
 * upgrade is asked for only when the service knows the request came over TLS: `PUBLIC_URL` is
 * https, or the request arrived over TLS (directly, or through a proxy listed in TRUST_PROXY that
 * says so in `X-Forwarded-Proto`; Fastify believes that header from those only). Every answer
 * carries its X-Request-Id too, set in the same hook.
 */
export function addSecurityHeaders(fastify: FastifyInstance, { publicUrl, apiPath }: { publicUrl: string | undefined; apiPath: string }): void {
  const page = {
    overTls: headersOf(helmet({ contentSecurityPolicy: { directives: DIRECTIVES } })),
    plain: headersOf(helmet({ contentSecurityPolicy: { directives: { ...DIRECTIVES, upgradeInsecureRequests: null } }, strictTransportSecurity: false })),
  };
  const api = {
    overTls: [...NO_STORE, ...headersOf(helmet(API_HELMET))],
    plain: [...NO_STORE, ...headersOf(helmet({ ...API_HELMET, strictTransportSecurity: false }))],
  };
  const alwaysTls = publicUrl?.startsWith('https://') === true;
  fastify.addHook('onRequest', (request, reply, done) => {
    const raw = reply.raw;
    const set = request.url.startsWith(apiPath) ? api : page;
    for (const [name, value] of alwaysTls || request.protocol === 'https' ? set.overTls : set.plain) raw.setHeader(name, value);
    raw.setHeader('X-Request-Id', String(request.id));
    done();
  });
}
