export const IntegrationEvents = {
  imported: 'integrated_object.imported',
  reimported: 'integrated_object.reimported',
  summaryChanged: 'integrated_object.summary_changed',
  deleted: 'integrated_object.deleted',
} as const;

/** Where an object comes from: its platform and its id there. */
export interface IntegratedObjectRef {
  integratedObjectId: string;
  platform: string;
  originalId: string;
}

export interface IntegratedObjectImportedPayload extends IntegratedObjectRef {
  objectType: string;
  companyId: string | null;
}

export interface IntegratedObjectReimportedPayload extends IntegratedObjectRef {
  /** Names of the fields the re-import changed. */
  changed: string[];
}

declare module '../../common/events/event-catalog' {
  interface DomainEventCatalog {
    'integrated_object.imported': IntegratedObjectImportedPayload;
    'integrated_object.reimported': IntegratedObjectReimportedPayload;
    'integrated_object.summary_changed': IntegratedObjectRef;
    'integrated_object.deleted': IntegratedObjectRef;
  }
}
