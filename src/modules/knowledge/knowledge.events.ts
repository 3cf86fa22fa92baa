export const KnowledgeEvents = {
  insightRecorded: 'insight.recorded',
  patternCreated: 'pattern.created',
  patternUsed: 'pattern.used',
} as const;

export interface InsightRecordedPayload {
  insightId: string;
  domain: string;
  confidence: number;
}

export interface PatternCreatedPayload {
  patternId: string;
  trigger: string;
}

export interface PatternUsedPayload {
  patternId: string;
  trigger: string;
  /** The usage count after this use. */
  usageCount: number;
}

declare module '../../common/events/event-catalog' {
  interface DomainEventCatalog {
    'insight.recorded': InsightRecordedPayload;
    'pattern.created': PatternCreatedPayload;
    'pattern.used': PatternUsedPayload;
  }
}
