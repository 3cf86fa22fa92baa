import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/auth/request-context';
import { BadRequestError } from '../../common/errors';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { UnitOfWork } from '../../common/persistence/unit-of-work';
import { appConfig, AppConfig } from '../../config/app.config';
import { queuesConfig, QueuesConfig } from '../../config/queues.config';
import { HandlerRegistry } from './handler-registry';
import { UnknownHandlerError } from './outbox.errors';
import { sweepGraceMs } from './outbox.jobs';
import { DeadLetterFilter, DeadLetterSummary, OutboxRepository } from './outbox.repository';
import { redrivenEvent } from './outbox.service';

/** An operator's choice of dead letters (all members optional; `handler` is `namespace/schema`). */
export interface DeadLetterSelection {
  tenant?: string;
  namespace?: string;
  schema?: string;
  handler?: string;
  since?: string;
  ids?: string[];
}

export interface RedriveOutcome {
  dryRun: boolean;
  count: number;
  nextCursor: string | null;
}

/**
 * Dead letters across tenants, for the admin API and the command line. Reading across tenants goes
 * through functions of the database (outbox_dead_letters, outbox_dead_letter_count); every change
 * is made in the record's own tenant scope, one transaction per tenant, with a
 * `persistence.redriven` event per record whose actor is the operator.
 */
@Injectable()
export class OutboxAdminService {
  constructor(
    private readonly records: OutboxRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly registry: HandlerRegistry,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(queuesConfig.KEY) private readonly queues: QueuesConfig,
  ) {}

  /** A page of every tenant's dead letters, oldest first, each with the handler that takes it. */
  async list(selection: DeadLetterSelection, page: PageRequest): Promise<Page<{ record: DeadLetterSummary; handler: string | null }>> {
    const filter = this.filterOf(selection);
    const found = await this.records.deadLetters(filter, page);
    return {
      items: found.items.map((record) => ({ record, handler: this.registry.resolve(record.namespace, record.schemaIdentity)?.identity ?? null })),
      nextCursor: found.nextCursor,
    };
  }

  /**
   * Puts the selected dead letters back in line (attempts reset, priority kept), at most
   * ADMIN_REDRIVE_LIMIT per call; `nextCursor` continues. Idempotent: a record no longer
   * dead-lettered is left alone. With `dryRun`, only counts every match.
   */
  async redrive(ctx: RequestContext, selection: DeadLetterSelection, options: { dryRun?: boolean; cursor?: string }): Promise<RedriveOutcome> {
    const limit = this.app.adminRedriveLimit;
    if (selection.ids && selection.ids.length > limit)
      throw new BadRequestError(`ids names ${selection.ids.length} records; one call redrives at most ${limit}`);
    const filter = this.filterOf(selection);
    if (options.dryRun) {
      const count = await this.records.countDeadLetters(filter);
      return { dryRun: true, count, nextCursor: null };
    }
    const { keys, nextCursor } = await this.records.deadLetterKeys(filter, limit, options.cursor);
    const byTenant = new Map<string, string[]>();
    for (const { id, tenantId } of keys) byTenant.set(tenantId, [...(byTenant.get(tenantId) ?? []), id]);
    let count = 0;
    for (const [tenantId, ids] of byTenant) {
      const context = { ...ctx, tenantId };
      count += await this.unitOfWork.run(context, async (tx) => {
        const redriven = await this.records.redriveMany(tx.manager, tenantId, ids, new Date(Date.now() + sweepGraceMs(this.queues)));
        for (const record of redriven) tx.record(redrivenEvent(record));
        return redriven.length;
      });
    }
    return { dryRun: false, count, nextCursor };
  }

  private filterOf(selection: DeadLetterSelection): DeadLetterFilter {
    const { handler, since, ids, ...plain } = selection;
    const filter: DeadLetterFilter = { ...plain, ids, since: since === undefined ? undefined : new Date(since) };
    if (ids && Object.values({ handler, since, ...plain }).some((value) => value !== undefined)) {
      throw new BadRequestError('send either ids or a filter (tenant, namespace, schema, handler, since), not both');
    }
    if (handler === undefined) return filter;
    const registered = this.registry.list();
    const own = registered.find((candidate) => candidate.identity === handler);
    if (!own) throw new UnknownHandlerError(handler);
    if (filter.schema !== undefined && filter.schema !== own.schema) return { ...filter, ids: [] };
    if (own.namespace !== 'core') {
      if (filter.namespace !== undefined && filter.namespace !== own.namespace) return { ...filter, ids: [] };
      return { ...filter, namespace: own.namespace, schema: own.schema };
    }
    // A core handler takes its schema in every namespace that has no handler of its own for it.
    const excludedNamespaces = registered.filter((other) => other.schema === own.schema && other.namespace !== 'core').map((other) => other.namespace);
    return { ...filter, schema: own.schema, excludedNamespaces };
  }
}
