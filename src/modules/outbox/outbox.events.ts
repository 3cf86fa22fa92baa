export const OutboxEvents = {
  received: 'persistence.received',
  persisted: 'persistence.persisted',
  skipped: 'persistence.skipped',
  failed: 'persistence.failed',
  deadLettered: 'persistence.dead_lettered',
  redriven: 'persistence.redriven',
} as const;

interface RecordRef {
  recordId: string;
  callId: string;
  namespace: string;
  schema: string;
}

export interface PersistenceReceivedPayload extends RecordRef {
  priority: number;
}

export interface PersistencePersistedPayload extends RecordRef {
  /** `namespace/schema` of the handler that wrote it. */
  handler: string;
  domainType: string;
  domainId: string;
  attempts: number;
  /** Milliseconds from intake to commit. */
  latencyMs: number;
}

export interface PersistenceSkippedPayload extends RecordRef {
  reason: string;
}

export interface PersistenceFailedPayload extends RecordRef {
  attempts: number;
  error: string;
  nextAttemptAt: string;
}

export interface PersistenceDeadLetteredPayload extends RecordRef {
  attempts: number;
  reason: string;
}

export type PersistenceRedrivenPayload = RecordRef;

declare module '../../common/events/event-catalog' {
  interface DomainEventCatalog {
    'persistence.received': PersistenceReceivedPayload;
    'persistence.persisted': PersistencePersistedPayload;
    'persistence.skipped': PersistenceSkippedPayload;
    'persistence.failed': PersistenceFailedPayload;
    'persistence.dead_lettered': PersistenceDeadLetteredPayload;
    'persistence.redriven': PersistenceRedrivenPayload;
  }
}
