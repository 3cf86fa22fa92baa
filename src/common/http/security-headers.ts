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

/**
 * helmet's headers, in two sets. Asking a browser to upgrade to https (`upgrade-insecure-requests`,
 * HSTS) is right only when the service is reached over TLS: over plain HTTP on a host name that is
 * not loopback it makes the browser fetch every asset of a UI over https, which fails, and the page
 * stays blank. So the upgrade is asked for only when the service knows the request came over TLS:
 * `PUBLIC_URL` is https, or the request arrived over TLS (directly, or through a proxy listed in
 * TRUST_PROXY that says so in `X-Forwarded-Proto`; Fastify believes that header from those only).
 * Both middlewares are built once: @fastify/helmet would rebuild them per request.
 */
export function addSecurityHeaders(fastify: FastifyInstance, publicUrl: string | undefined): void {
  const overTls = helmet({ contentSecurityPolicy: { directives: DIRECTIVES } });
  const plain = helmet({ contentSecurityPolicy: { directives: { ...DIRECTIVES, upgradeInsecureRequests: null } }, strictTransportSecurity: false });
  const alwaysTls = publicUrl?.startsWith('https://') === true;
  const servedOverTls = (request: FastifyRequest) => alwaysTls || request.protocol === 'https';
  fastify.addHook('onRequest', (request, reply, done) =>
    (servedOverTls(request) ? overTls : plain)(request.raw, reply.raw, (error) => done(error as Error | undefined)),
  );
}
