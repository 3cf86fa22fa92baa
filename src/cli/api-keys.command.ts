import { DataSource } from 'typeorm';
import { ApiKeysService } from '../common/auth/api-keys.service';

export const API_KEYS_USAGE = `api-keys create --tenant <tenant> --name <name>   create a key (printed once)
api-keys list [--tenant <tenant>]                 list keys (never the secret)
api-keys revoke <id>                              revoke a key at once`;

export async function apiKeysCommand(
  dataSource: DataSource,
  [action, ...rest]: string[],
  flags: Record<string, string | true>,
  out: (line: string) => void,
): Promise<number> {
  const keys = new ApiKeysService(dataSource);
  switch (action) {
    case 'create': {
      if (typeof flags.tenant !== 'string' || typeof flags.name !== 'string') {
        out('usage: ' + API_KEYS_USAGE.split('\n')[0]);
        return 2;
      }
      const created = await keys.create(flags.tenant, flags.name);
      out(`Created API key ${created.id} for tenant "${created.tenantId}" named "${created.name}".`);
      out(`Key (shown once, store it now): ${created.key}`);
      return 0;
    }
    case 'list': {
      const rows = await keys.list(typeof flags.tenant === 'string' ? flags.tenant : undefined);
      out(['id', 'tenant', 'name', 'prefix', 'created', 'revoked'].join('\t'));
      for (const row of rows) {
        out([row.id, row.tenantId, row.name, `${row.keyPrefix}…`, row.createdAt.toISOString(), row.revokedAt?.toISOString() ?? '-'].join('\t'));
      }
      return 0;
    }
    case 'revoke': {
      const id = rest[0];
      if (!id || !/^[0-9a-f-]{36}$/i.test(id)) {
        out('usage: api-keys revoke <id>   (the id from api-keys list)');
        return 2;
      }
      const revoked = await keys.revoke(id);
      out(revoked ? `Revoked API key ${id}.` : `No active API key has id ${id}.`);
      return revoked ? 0 : 1;
    }
    default:
      out(API_KEYS_USAGE);
      return 2;
  }
}
