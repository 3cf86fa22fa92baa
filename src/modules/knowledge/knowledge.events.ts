export const KnowledgeEvents = {
  actionLogRecorded: 'action_log.recorded',
  jobResultRecorded: 'job_result.recorded',
  insightRecorded: 'insight.recorded',
  insightUpdated: 'insight.updated',
  insightDeleted: 'insight.deleted',
  patternUpdated: 'pattern.updated',
  patternDeleted: 'pattern.deleted',
  patternCreated: 'pattern.created',
  patternUsed: 'pattern.used',
} as const;

export interface ActionLogRecordedPayload {
  actionLogId: string;
  actionType: string;
  agentId: string | null;
  traceId: string | null;
}

export interface JobResultRecordedPayload {
  jobResultId: string;
  jobId: string;
  taskId: string | null;
  agentId: string | null;
  status: string | null;
}

export interface InsightUpdatedPayload {
  insightId: string;
  /** Names of the fields the update set. */
  changed: string[];
}

export interface InsightDeletedPayload {
  insightId: string;
}

export interface PatternUpdatedPayload {
  patternId: string;
  trigger: string;
  /** Names of the fields the update set. */
  changed: string[];
}

export interface PatternDeletedPayload {
  patternId: string;
  trigger: string;
}

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
    'action_log.recorded': ActionLogRecordedPayload;
    'job_result.recorded': JobResultRecordedPayload;
    'insight.recorded': InsightRecordedPayload;
    'insight.updated': InsightUpdatedPayload;
    'insight.deleted': InsightDeletedPayload;
    'pattern.updated': PatternUpdatedPayload;
    'pattern.deleted': PatternDeletedPayload;
    'pattern.created': PatternCreatedPayload;
    'pattern.used': PatternUsedPayload;
  }
}
