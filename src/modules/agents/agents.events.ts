import { AgentStatus } from './agent.entity';

export const AgentEvents = {
  registered: 'agent.registered',
  updated: 'agent.updated',
  statusChanged: 'agent.status_changed',
  deleted: 'agent.deleted',
} as const;

export interface AgentRegisteredPayload {
  agentId: string;
  /** The caller's own name for the agent, when it has one. */
  key: string | null;
  name: string;
  role: string;
  status: AgentStatus;
}

export interface AgentUpdatedPayload {
  agentId: string;
  /** Names of the fields the update set. */
  changed: string[];
}

export interface AgentStatusChangedPayload {
  agentId: string;
  from: AgentStatus;
  to: AgentStatus;
}

export interface AgentDeletedPayload {
  agentId: string;
}

declare module '../../common/events/event-catalog' {
  interface DomainEventCatalog {
    'agent.registered': AgentRegisteredPayload;
    'agent.updated': AgentUpdatedPayload;
    'agent.status_changed': AgentStatusChangedPayload;
    'agent.deleted': AgentDeletedPayload;
  }
}
