import { userInfo } from 'node:os';
import { validateBody } from '../common/http/validation';
import { DomainError } from '../common/errors';
import { AdminDeadLettersQuery, AdminRedriveDto } from '../modules/outbox/dto/admin-dead-letters.dto';
import type { OutboxAdminService } from '../modules/outbox/outbox-admin.service';
import { DEAD_LETTERS_USAGE } from './dead-letters.usage';

const FILTER_FLAGS = ['tenant', 'namespace', 'schema', 'handler', 'since'];
const FLAGS: Record<string, string[]> = {
  list: [...FILTER_FLAGS, 'limit', 'cursor'],
  redrive: [...FILTER_FLAGS, 'ids', 'dry-run', 'cursor', 'actor'],
};

type Out = (line: string) => void;

class UsageError extends Error {}

/** `npm run cli -- dead-letters list|redrive …`: the admin API's dead-letter routes, without HTTP. Returns the exit code. */
export async function deadLettersCommand([action, ...extra]: string[], flags: Record<string, string | true>, out: Out, err: Out): Promise<number> {
  let request: { action: 'list'; query: AdminDeadLettersQuery } | { action: 'redrive'; body: AdminRedriveDto; actor: string };
  try {
    request = await parse(action, extra, flags);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`dead-letters: ${error.message}; usage: ${DEAD_LETTERS_USAGE.split('\n')[action === 'redrive' ? 2 : 0]}`);
    return 2;
  }
  // Loaded once the command line is known to be good: booting the modules takes a few seconds.
  const [{ NestFactory }, { CliAppModule }, { OutboxAdminService }] = await Promise.all([
    import('@nestjs/core'),
    import('./cli-app.module.js'),
    import('../modules/outbox/outbox-admin.service.js'),
  ]);
  const app = await NestFactory.createApplicationContext(CliAppModule, { logger: ['error'] });
  try {
    const admin = app.get(OutboxAdminService);
    return request.action === 'list' ? await list(admin, request.query, out) : await redrive(admin, request.body, request.actor, out);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    err(`dead-letters: ${error.message}`);
    return 2;
  } finally {
    await app.close();
  }
}

async function parse(action: string | undefined, extra: string[], flags: Record<string, string | true>) {
  if (action !== 'list' && action !== 'redrive')
    throw new UsageError(action === undefined ? 'say list or redrive' : `unknown action "${action}": say list or redrive`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const unknown = Object.keys(flags).find((flag) => !FLAGS[action].includes(flag));
  if (unknown) throw new UsageError(`${action} takes no --${unknown}`);
  const plain: Record<string, unknown> = {};
  for (const [flag, value] of Object.entries(flags)) {
    if (flag === 'dry-run') {
      if (value !== true) throw new UsageError('--dry-run takes no value');
      plain.dryRun = true;
      continue;
    }
    if (value === true) throw new UsageError(`--${flag} needs a value`);
    if (flag !== 'actor')
      plain[flag] =
        flag === 'ids'
          ? value
              .split(',')
              .map((id) => id.trim())
              .filter(Boolean)
          : value;
  }
  const checked = action === 'list' ? await validateBody(AdminDeadLettersQuery, plain) : await validateBody(AdminRedriveDto, plain);
  if (!checked.ok) throw new UsageError(checked.errors[0].message.replace(/^(\w+)/, (name) => `--${name === 'dryRun' ? 'dry-run' : name}`));
  if (action === 'list') return { action, query: checked.value as AdminDeadLettersQuery } as const;
  const actor = typeof flags.actor === 'string' ? flags.actor : `cli:${userInfo().username}`;
  return { action, body: checked.value as AdminRedriveDto, actor } as const;
}

async function list(admin: OutboxAdminService, query: AdminDeadLettersQuery, out: Out): Promise<number> {
  const { limit, cursor, ...selection } = query;
  const page = await admin.list(selection, { limit, cursor });
  out(['id', 'tenant', 'namespace', 'schema', 'call id', 'attempts', 'dead-lettered', 'reason'].join('\t'));
  for (const { record } of page.items) {
    out(
      [
        record.id,
        record.tenantId,
        record.namespace,
        record.schemaIdentity,
        record.callId,
        record.attempts,
        record.updatedAt.toISOString(),
        record.lastError ?? '',
      ].join('\t'),
    );
  }
  if (page.nextCursor) out(`More: add --cursor ${page.nextCursor}`);
  return 0;
}

async function redrive(admin: OutboxAdminService, body: AdminRedriveDto, actor: string, out: Out): Promise<number> {
  const { dryRun, cursor, ...selection } = body;
  const outcome = await admin.redrive({ tenantId: 'cli', actorId: actor, keyId: null, correlationId: null }, selection, { dryRun, cursor });
  out(outcome.dryRun ? `${outcome.count} dead letter(s) match; nothing was changed (dry run).` : `Redrove ${outcome.count} dead letter(s) as ${actor}.`);
  if (outcome.nextCursor) out(`More match: run the same command with --cursor ${outcome.nextCursor}`);
  return 0;
}
