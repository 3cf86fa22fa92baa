import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HandlerRegistry } from './handler-registry';
import { OutboxAdminController } from './outbox-admin.controller';
import { OutboxAdminService } from './outbox-admin.service';
import { OutboxEnqueuer } from './outbox-enqueuer';
import { OutboxGauges } from './outbox.gauges';
import { OutboxController } from './outbox.controller';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

/**
 * The outbox's intake and inspection API and the handler registry. It knows no feature: each
 * feature module declares its own handlers (`@PersistenceHandler`), which the registry discovers.
 * Loaded in every role; the processing side is OutboxWorkerModule.
 */
@Module({
  imports: [DiscoveryModule],
  controllers: [OutboxController, OutboxAdminController],
  providers: [HandlerRegistry, OutboxRepository, OutboxService, OutboxAdminService, OutboxEnqueuer, OutboxGauges],
  exports: [HandlerRegistry, OutboxRepository, OutboxEnqueuer, OutboxService, OutboxAdminService],
})
export class OutboxModule {}
