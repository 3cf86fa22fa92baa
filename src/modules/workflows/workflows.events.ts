import { WorkflowStatus } from './workflow.entity';

export const WorkflowEvents = {
  created: 'workflow.created',
  updated: 'workflow.updated',
  statusChanged: 'workflow.status_changed',
  deleted: 'workflow.deleted',
} as const;

export interface WorkflowCreatedPayload {
  workflowId: string;
  status: WorkflowStatus;
}

export interface WorkflowUpdatedPayload {
  workflowId: string;
  /** Names of the fields the update set, other than the status. */
  changed: string[];
}

export interface WorkflowStatusChangedPayload {
  workflowId: string;
  from: WorkflowStatus;
  to: WorkflowStatus;
}

export interface WorkflowDeletedPayload {
  workflowId: string;
  /** Ids of the tasks (subtasks included) deleted with it. */
  taskIds: string[];
}

declare module '../../common/events/event-catalog' {
  interface DomainEventCatalog {
    'workflow.created': WorkflowCreatedPayload;
    'workflow.updated': WorkflowUpdatedPayload;
    'workflow.status_changed': WorkflowStatusChangedPayload;
    'workflow.deleted': WorkflowDeletedPayload;
  }
}
