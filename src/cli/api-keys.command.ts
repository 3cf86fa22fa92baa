import { DataSource } from 'typeorm';
import { ApiKeysRepository } from '../common/auth/api-keys.repository';
import { ApiKeysService, CreatedApiKey } from '../common/auth/api-keys.service';
import { Config } from '../config';
import { parseDuration } from './args';
import { KeyInvalidationNotice } from './key-invalidation-notice';

export const API_KEYS_USAGE = `api-keys create --tenant <tenant> --name <name> [--expires-in 30d] [--no-actor-override]
                                                  create a key (printed once); with --no-actor-override its
                                                  requests act as its name only (X-Actor-Id is refused)
api-keys list [--tenant <tenant>]                 list keys with prefix, last use, expiry (never the secret)
api-keys revoke <id>                              revoke a key at once, in every running process
api-keys rotate <id> [--grace 1h] [--expires-in 30d]
                                                  a new key for the same tenant, name and actor rule; the
                                                  old one keeps working for the grace period, then expires
Durations: a number and s, m, h, d or w (90s, 15m, 12h, 30d, 2w).`;

const DEFAULT_GRACE = '1h';
const ID = /^[0-9a-f-]{36}$/i;

const when = (date: Date | null) => date?.toISOString() ?? '-';

function printCreated(out: (line: string) => void, created: CreatedApiKey): void {
  const expiry = created.expiresAt ? `, expiring at ${when(created.expiresAt)}` : '';
  const actor = created.actorOverride ? '' : ', acting as its name only (X-Actor-Id refused)';
  out(`Created API key ${created.id} for tenant "${created.tenantId}" named "${created.name}"${expiry}${actor}.`);
  out(`Key (shown once, store it now): ${created.key}`);
}

/** A duration flag: absent → fallback, valid → ms, anything else → an error line for the user. */
function durationFlag(flags: Record<string, string | true>, name: string, minMs: number, fallback?: string): number | undefined | Error {
  const raw = flags[name] ?? fallback;
  if (raw === undefined) return undefined;
  const ms = typeof raw === 'string' ? parseDuration(raw) : undefined;
  if (ms === undefined || ms < minMs) return new Error(`--${name} takes a duration such as 30d, 12h or 15m (got ${raw === true ? 'nothing' : `"${raw}"`})`);
  return ms;
}

export async function apiKeysCommand(
  dataSource: DataSource,
  args: string[],
  flags: Record<string, string | true>,
  out: (line: string) => void,
  config: Config,
): Promise<number> {
  const notice = new KeyInvalidationNotice(config);
  const code = await run(new ApiKeysService(new ApiKeysRepository(dataSource), config.app, notice), args, flags, out);
  for (const line of notice.lines) out(line);
  return code;
}

async function run(keys: ApiKeysService, [action, ...rest]: string[], flags: Record<string, string | true>, out: (line: string) => void): Promise<number> {
  switch (action) {
    case 'create': {
      const expiresIn = durationFlag(flags, 'expires-in', 1000);
      const noOverride = flags['no-actor-override'];
      if (typeof flags.tenant !== 'string' || typeof flags.name !== 'string' || expiresIn instanceof Error || typeof noOverride === 'string') {
        if (expiresIn instanceof Error) out(expiresIn.message);
        if (typeof noOverride === 'string') out(`--no-actor-override takes no value (got "${noOverride}")`);
        out('usage: ' + API_KEYS_USAGE.split('\n')[0]);
        return 2;
      }
      const created = await keys.create(flags.tenant, flags.name, expiresIn, { actorOverride: noOverride !== true });
      printCreated(out, created);
      return 0;
    }
    case 'list': {
      const rows = await keys.list(typeof flags.tenant === 'string' ? flags.tenant : undefined);
      out(['id', 'tenant', 'name', 'prefix', 'created', 'last used', 'expires', 'revoked', 'actor'].join('\t'));
      for (const row of rows) {
        out(
          [
            row.id,
            row.tenantId,
            row.name,
            `${row.keyPrefix}…`,
            when(row.createdAt),
            when(row.lastUsedAt),
            when(row.expiresAt),
            when(row.revokedAt),
            row.actorOverride ? 'X-Actor-Id' : 'name only',
          ].join('\t'),
        );
      }
      return 0;
    }
    case 'revoke': {
      const id = rest[0];
      if (!id || !ID.test(id)) {
        out('usage: api-keys revoke <id>   (the id from api-keys list)');
        return 2;
      }
      const revoked = await keys.revoke(id);
      out(revoked ? `Revoked API key ${id}.` : `No active API key has id ${id}.`);
      return revoked ? 0 : 1;
    }
    case 'rotate': {
      const id = rest[0];
      const grace = durationFlag(flags, 'grace', 0, DEFAULT_GRACE);
      const expiresIn = durationFlag(flags, 'expires-in', 1000);
      if (!id || !ID.test(id) || grace instanceof Error || expiresIn instanceof Error) {
        for (const problem of [grace, expiresIn]) if (problem instanceof Error) out(problem.message);
        out('usage: api-keys rotate <id> [--grace 1h] [--expires-in 30d]   (the id from api-keys list)');
        return 2;
      }
      const rotated = await keys.rotate(id, grace ?? 0, expiresIn);
      if (!rotated) {
        out(`No active API key has id ${id}.`);
        return 1;
      }
      const { created, oldKeyExpiresAt } = rotated;
      printCreated(out, created);
      out(`The old key ${id} keeps working until ${when(oldKeyExpiresAt)}, then expires.`);
      return 0;
    }
    default:
      out(API_KEYS_USAGE);
      return 2;
  }
}
