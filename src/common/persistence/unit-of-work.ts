import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { RequestContext } from '../auth/request-context';
import { DomainEvents } from '../events/domain-events.service';
import { DomainEventType, NewDomainEvent } from '../events/event-catalog';

/** The handle a unit of work gets: the transaction's EntityManager and a place to record events. */
export interface Transaction {
  readonly manager: EntityManager;
  readonly context: RequestContext;
  record<K extends DomainEventType>(event: NewDomainEvent<K>): void;
}

/**
 * Runs work in one database transaction. Events recorded during the work are inserted into
 * `domain_events` in that same transaction, and published to listeners only after it commits:
 * a rolled-back write leaves no event row and wakes no listener.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: DomainEvents,
  ) {}

  async run<T>(context: RequestContext, work: (tx: Transaction) => Promise<T>): Promise<T> {
    const recorded: NewDomainEvent[] = [];
    const { result, committed } = await this.dataSource.transaction(async (manager) => {
      const tx: Transaction = { manager, context, record: (event) => void recorded.push(event as NewDomainEvent) };
      const result = await work(tx);
      const committed = await this.events.append(manager, context, recorded);
      return { result, committed };
    });
    await this.events.publish(committed);
    return result;
  }
}
