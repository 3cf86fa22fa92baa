import { Module } from '@nestjs/common';
import { IntegratedObjectsRepository } from './integrated-objects.repository';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsService } from './integrations.service';
import { ObjectImportHandler } from './object-import.handler';

/**
 * Objects imported from external platforms (helpdesks, CRMs, …), one per (platform, company,
 * original id) within a tenant, filterable by company; importable over HTTP and through the outbox.
 */
@Module({
  controllers: [IntegrationsController],
  providers: [IntegrationsService, IntegratedObjectsRepository, ObjectImportHandler],
  exports: [IntegrationsService],
})
export class IntegrationsModule {}
