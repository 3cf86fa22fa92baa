import type { onRequestAsyncHookHandler } from 'fastify';
import { ForbiddenError, RateLimitedError, UnauthenticatedError } from '../errors';
import { presentedKey } from './api-key.guard';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyIdentity } from './api-keys.service';
import { markAuthenticated, replyWithProblem } from './request-gate';

const ADMIN_IDENTITY = Symbol('admin identity');

/** The admin key that a request to a UI guarded by adminAuthHook was let in with (its name is the actor). */
export function adminIdentityOf(request: object): ApiKeyIdentity | undefined {
  return (request as { [ADMIN_IDENTITY]?: ApiKeyIdentity })[ADMIN_IDENTITY];
}

/** The key from `Authorization: Basic` (any user name, the key as password), Bearer or X-API-Key. */
export function adminKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const separator = decoded.indexOf(':');
      return separator >= 0 ? decoded.slice(separator + 1) : undefined;
    }
  }
  return presentedKey(headers);
}

/**
 * Guards the admin UI (Bull Board), and the API docs when DOCS_AUTH is on, with the API keys: a
 * browser gets a Basic-auth prompt, where the key goes in as the password. With `tenants`, only
 * their keys pass and another tenant's valid key is refused (403): the queue UI shows and acts on
 * every tenant's jobs. Failed attempts count in the address's budget of failed authentications
 * (429 past it), as on the API. It is attached to every route of the UI (page, JSON API,
 * actions, static files) by an `onRoute` hook, so no path encoding can get around it.
 */
export function adminAuthHook(authenticator: ApiKeyAuthenticator, what: string, tenants?: readonly string[]): onRequestAsyncHookHandler {
  const allowed = tenants && new Set(tenants);
  return async (request, reply) => {
    let identity: ApiKeyIdentity | undefined;
    try {
      identity = await authenticator.authenticate(adminKey(request.headers), request.ip);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      return replyWithProblem(request, reply, error);
    }
    if (identity && (!allowed || allowed.has(identity.tenantId))) {
      (request as { [ADMIN_IDENTITY]?: ApiKeyIdentity })[ADMIN_IDENTITY] = identity;
      markAuthenticated(request, identity);
      return;
    }
    if (identity) return replyWithProblem(request, reply, new ForbiddenError(`${what} is open to the keys of the admin tenants (ADMIN_TENANTS) only`));
    return replyWithProblem(request, reply, new UnauthenticatedError(`${what} needs an API key (as the password of Basic authentication)`), {
      'WWW-Authenticate': 'Basic realm="agent-ledger admin", charset="UTF-8"',
    });
  };
}
