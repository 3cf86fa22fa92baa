import { Injectable } from '@nestjs/common';
import { isDeepStrictEqual } from 'node:util';
import { RequestContext } from '../../common/auth/request-context';
import { VersionConflictError } from '../../common/errors';
import { NewDomainEvent } from '../../common/events/event-catalog';
import { Patch } from '../../common/persistence/compare-and-set';
import { newAuditedRow, updatedBy } from '../../common/persistence/new-row';
import { Page, PageRequest } from '../../common/persistence/paginate';
import { isUniqueViolation } from '../../common/persistence/unique-violation';
import { NewRow, Transaction, UnitOfWork } from '../../common/persistence/unit-of-work';
import { ImportIntegratedObjectDto } from './dto/import-integrated-object.dto';
import { IntegratedObject } from './integrated-object.entity';
import { ImportKey, IntegratedObjectFilters, IntegratedObjectsRepository } from './integrated-objects.repository';
import { ImportContendedError, IntegratedObjectNotFoundError } from './integrations.errors';
import { IntegratedObjectRef, IntegrationEvents } from './integrations.events';

/** What an import did: created the object, or updated it (or left it as it was). */
export interface ImportOutcome {
  object: IntegratedObject;
  created: boolean;
}

/** Rounds an import tries to insert or lock the object while concurrent imports insert and delete it, before a 409. */
const MAX_IMPORT_ROUNDS = 5;

/** The fields an import may change on a known object (the key's are not); `summary` has its own route too. */
const IMPORTED_FIELDS = ['objectType', 'originalData', 'integratedContent', 'metadata', 'summary'] as const;

@Injectable()
export class IntegrationsService {
  constructor(
    private readonly objects: IntegratedObjectsRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  /**
   * Imports one object. A known (platform, companyId, originalId), the common case of a sync, goes to the
   * update path; a new one is inserted with its event in one statement, and if a concurrent
   * import inserted it first (the unique key decides), to the update path as well. Looking first
   * keeps re-imports from failing an insert each (a logged error in PostgreSQL).
   */
  async import(ctx: RequestContext, input: ImportIntegratedObjectDto): Promise<ImportOutcome> {
    const known = await this.objects.existsByKey(keyOf(ctx.tenantId, input));
    if (!known) {
      try {
        const [object] = await this.unitOfWork.insert(ctx, IntegratedObject, [this.newObject(ctx, input)], (row) => this.importedEvent(row));
        return { object, created: true };
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
    }
    return this.unitOfWork.run(ctx, (tx) => this.importIn(tx, input));
  }

  /** Imports every object or none, in one transaction; each item as if imported alone, in order. */
  async importMany(ctx: RequestContext, inputs: ImportIntegratedObjectDto[]): Promise<IntegratedObject[]> {
    const outcomes = await this.unitOfWork.run(ctx, async (tx) => {
      const rows = inputs.map((input) => this.newObject(ctx, input));
      const inserted = new Map((await this.objects.insertNew(tx.manager, rows)).map((object) => [object.id, object]));
      const results: ImportOutcome[] = [];
      for (const [index, input] of inputs.entries()) {
        const object = inserted.get(rows[index].id);
        if (object) {
          tx.record(this.importedEvent(object));
          results.push({ object, created: true });
        } else {
          results.push(await this.importIn(tx, input)); // known already, or repeated earlier in the batch
        }
      }
      return results;
    });
    return outcomes.map((outcome) => outcome.object);
  }

  /**
   * Imports one object inside the caller's transaction (for persistence handlers and bulk imports).
   * A known object is locked, then takes the fields the import sends through compare-and-set, so
   * concurrent imports of one object apply one after the other and none is lost or applied blind.
   */
  async importIn(tx: Transaction, input: ImportIntegratedObjectDto): Promise<ImportOutcome> {
    const key = keyOf(tx.context.tenantId, input);
    for (let round = 0; round < MAX_IMPORT_ROUNDS; round++) {
      const current = await this.objects.lockByKey(tx.manager, key);
      if (!current) {
        const [object] = await this.objects.insertNew(tx.manager, [this.newObject(tx.context, input)]);
        if (!object) continue; // a concurrent import inserted it first: update that one
        tx.record(this.importedEvent(object));
        return { object, created: true };
      }
      const changes = changesOf(current, input);
      if (changes.length === 0) return { object: current, created: false };
      const patch = Object.fromEntries(changes.map((field) => [field, input[field]])) as Patch<IntegratedObject>;
      const object = await this.objects.update(
        tx.manager,
        { tenantId: key.tenantId, id: current.id, expectedVersion: current.version },
        { ...patch, ...updatedBy(tx.context) },
      );
      tx.record({ ...this.eventOf(object), type: IntegrationEvents.reimported, payload: { ...refOf(object), changed: changes } });
      if (changes.includes('summary')) tx.record({ ...this.eventOf(object), type: IntegrationEvents.summaryChanged, payload: refOf(object) });
      return { object, created: false };
    }
    throw new ImportContendedError(key);
  }

  async get(ctx: RequestContext, id: string): Promise<IntegratedObject> {
    const object = await this.objects.findById(ctx.tenantId, id);
    if (!object) throw new IntegratedObjectNotFoundError(id);
    return object;
  }

  list(ctx: RequestContext, filters: IntegratedObjectFilters, page: PageRequest): Promise<Page<IntegratedObject>> {
    return this.objects.list(ctx.tenantId, filters, page);
  }

  /** Sets the summary of the version the caller read; the same summary again changes nothing. */
  updateSummary(ctx: RequestContext, id: string, expectedVersion: number, summary: string | null): Promise<IntegratedObject> {
    return this.unitOfWork.run(ctx, async (tx) => {
      const current = await this.objects.findById(ctx.tenantId, id, tx.manager);
      if (!current) throw new IntegratedObjectNotFoundError(id);
      if (current.version !== expectedVersion) throw new VersionConflictError('integrated object', id, expectedVersion, current.version);
      if (current.summary === summary) return current;
      const object = await this.objects.update(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion }, { summary, ...updatedBy(ctx) });
      tx.record({ ...this.eventOf(object), type: IntegrationEvents.summaryChanged, payload: refOf(object) });
      return object;
    });
  }

  /** Deletes the object; guarded by its version when the caller sent one. */
  async remove(ctx: RequestContext, id: string, expectedVersion?: number): Promise<void> {
    await this.unitOfWork.run(ctx, async (tx) => {
      const current = await this.objects.findById(ctx.tenantId, id, tx.manager);
      if (!current) throw new IntegratedObjectNotFoundError(id);
      const version = await this.objects.delete(tx.manager, { tenantId: ctx.tenantId, id, expectedVersion });
      tx.record({ ...this.eventOf(current), aggregateVersion: version, type: IntegrationEvents.deleted, payload: refOf(current) });
    });
  }

  private eventOf(object: IntegratedObject): Pick<NewDomainEvent, 'aggregateType' | 'aggregateId' | 'aggregateVersion'> {
    return { aggregateType: 'integrated_object', aggregateId: object.id, aggregateVersion: object.version };
  }

  private importedEvent(object: NewRow<IntegratedObject>): NewDomainEvent<'integrated_object.imported'> {
    return {
      type: IntegrationEvents.imported,
      aggregateType: 'integrated_object',
      aggregateId: object.id,
      aggregateVersion: 1,
      payload: { ...refOf(object), objectType: object.objectType, companyId: object.companyId },
    };
  }

  private newObject(ctx: RequestContext, input: ImportIntegratedObjectDto): NewRow<IntegratedObject> {
    return newAuditedRow(ctx, {
      platform: input.platform,
      originalId: input.originalId,
      objectType: input.objectType,
      companyId: input.companyId ?? null,
      originalData: input.originalData,
      integratedContent: input.integratedContent ?? null,
      metadata: input.metadata ?? {},
      summary: input.summary ?? null,
    });
  }
}

/** The object's natural key: an absent company is the null company. */
function keyOf(tenantId: string, input: ImportIntegratedObjectDto): ImportKey {
  return { tenantId, platform: input.platform, companyId: input.companyId ?? null, originalId: input.originalId };
}

function refOf(object: Pick<IntegratedObject, 'id' | 'platform' | 'originalId'>): IntegratedObjectRef {
  return { integratedObjectId: object.id, platform: object.platform, originalId: object.originalId };
}

/** The fields the import sends with a value other than the stored one (jsonb compared by value). */
function changesOf(current: IntegratedObject, input: ImportIntegratedObjectDto): (typeof IMPORTED_FIELDS)[number][] {
  return IMPORTED_FIELDS.filter((field) => input[field] !== undefined && !isDeepStrictEqual(input[field], current[field]));
}
