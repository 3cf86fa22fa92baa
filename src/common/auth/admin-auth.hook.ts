import type { onRequestAsyncHookHandler } from 'fastify';
import { buildProblem, ErrorCode, PROBLEM_CONTENT_TYPE } from '../errors';
import { presentedKey } from './api-key.guard';
import { ApiKeysService } from './api-keys.service';

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
 * Guards the admin UI (Bull Board) with the API keys: a browser gets a Basic-auth prompt, where
 * the key goes in as the password. It is attached to every route of the UI (page, JSON API,
 * actions, static files) by an `onRoute` hook, so no path encoding can get around it.
 */
export function adminAuthHook(apiKeys: ApiKeysService): onRequestAsyncHookHandler {
  return async (request, reply) => {
    const key = adminKey(request.headers);
    if (key && (await apiKeys.verify(key))) return;
    const problem = buildProblem(ErrorCode.Unauthenticated, 'The admin UI needs an API key (as the password of Basic authentication)', {
      instance: request.url,
      correlationId: String(request.id),
    });
    await reply
      .status(401)
      .header('WWW-Authenticate', 'Basic realm="agent-ledger admin", charset="UTF-8"')
      .header('Content-Type', PROBLEM_CONTENT_TYPE)
      .send(problem);
  };
}
