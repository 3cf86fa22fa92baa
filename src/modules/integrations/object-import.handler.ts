import { PersistContext, PersistedObject, PersistenceHandler, PersistenceHandlerContract } from '../outbox/persistence-handler';
import { ImportIntegratedObjectDto } from './dto/import-integrated-object.dto';
import { IntegrationsService } from './integrations.service';

/**
 * `integrations/object.import@1`: an object to import (same shape and semantics as the body of
 * POST /integrated-objects): a new (platform, companyId, originalId) is created, a known one updated.
 */
@PersistenceHandler({ namespace: 'integrations', schema: 'object.import@1', resultType: ImportIntegratedObjectDto })
export class ObjectImportHandler implements PersistenceHandlerContract<ImportIntegratedObjectDto> {
  constructor(private readonly integrations: IntegrationsService) {}

  async persist(result: ImportIntegratedObjectDto, ctx: PersistContext): Promise<PersistedObject> {
    const { object } = await this.integrations.importIn(ctx.tx, result);
    return { type: 'integrated_object', id: object.id };
  }
}
