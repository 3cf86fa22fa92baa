export * from './domain-event.entity';
export * from './domain-events.service';
export * from './event-catalog';
export * from './domain-events.module';
export * from './on-domain-event.decorator';
