import type { FastifyInstance } from 'fastify';

/**
 * Sets `ETag: "<version>"` on every JSON response that is a single versioned resource, as a
 * Fastify hook on the object about to be serialised (cheaper than a Nest interceptor).
 */
export function sendVersionAsETag(fastify: FastifyInstance): void {
  fastify.addHook('preSerialization', (_request, reply, payload: unknown, done) => {
    const version = (payload as { version?: unknown } | null)?.version;
    if (typeof version === 'number') void reply.header('ETag', `"${version}"`);
    done(null, payload);
  });
}
