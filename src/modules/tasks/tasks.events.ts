import { TaskStatus } from './task.entity';

export const TaskEvents = {
  created: 'task.created',
  updated: 'task.updated',
  statusChanged: 'task.status_changed',
  deleted: 'task.deleted',
} as const;

export interface TaskCreatedPayload {
  taskId: string;
  workflowId: string;
  parentTaskId: string | null;
  agentId: string | null;
  status: TaskStatus;
  priority: number;
  /** Ids of the tasks it waits for. */
  dependsOn: string[];
}

export interface TaskUpdatedPayload {
  taskId: string;
  /** Names of the fields the update set, other than the status (`dependsOn` when dependencies were added). */
  changed: string[];
  /** Ids of the dependencies added, when `changed` holds `dependsOn`. */
  addedDependsOn?: string[];
}

export interface TaskStatusChangedPayload {
  taskId: string;
  workflowId: string;
  agentId: string | null;
  from: TaskStatus;
  to: TaskStatus;
}

export interface TaskDeletedPayload {
  taskId: string;
  workflowId: string;
  /** Ids of its subtasks (at any depth), deleted with it. */
  subtaskIds: string[];
}

declare module '../../common/events/event-catalog' {
  interface DomainEventCatalog {
    'task.created': TaskCreatedPayload;
    'task.updated': TaskUpdatedPayload;
    'task.status_changed': TaskStatusChangedPayload;
    'task.deleted': TaskDeletedPayload;
  }
}
