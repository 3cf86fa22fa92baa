export const LegacyImportEvents = {
  imported: 'legacy.imported',
} as const;

/** One committed batch of the legacy import: which rows of which table became rows of which type. */
export interface LegacyImportedPayload {
  /** The import run (also the event's aggregate id and correlation id). */
  runId: string;
  sourceTable: string;
  legacyType: string;
  targetTable: string;
  count: number;
  /** The first and last legacy ids of the batch, in import order. */
  firstLegacyId: string;
  lastLegacyId: string;
}

declare module '../../common/events/event-catalog' {
  interface DomainEventCatalog {
    'legacy.imported': LegacyImportedPayload;
  }
}
