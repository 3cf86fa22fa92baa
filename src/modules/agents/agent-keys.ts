import { ApiProperty } from '@nestjs/swagger';

/**
 * The keys of the agents an answer names, by agent id. Answers carry each agent's id and, beside
 * it, the agent's key: taken from what the request's references resolved to, or found in one
 * lookup for the whole answer (AgentsService.keysFor), never one per row.
 */
export class AgentKeys {
  static readonly none = new AgentKeys(new Map());

  /** `byId`: id → key, null for an agent known to have none. */
  constructor(private readonly byId: ReadonlyMap<string, string | null>) {}

  /** The key of agent `id`; null for no agent, an agent without a key, or one that is gone. */
  of(id: string | null): string | null {
    return id === null ? null : (this.byId.get(id) ?? null);
  }

  /** Whether the key of agent `id` (or that it has none) is known here. */
  knows(id: string): boolean {
    return this.byId.has(id);
  }

  /** These keys and `found`. */
  with(found: ReadonlyMap<string, string | null>): AgentKeys {
    return found.size === 0 ? this : new AgentKeys(new Map([...this.byId, ...found]));
  }
}

/** What an answer shows (`value`) and the keys of the agents it names. */
export interface WithAgentKeys<T> {
  value: T;
  agentKeys: AgentKeys;
}

/** The OpenAPI property of a response's agent key, beside the agent's id (`agentKey` beside `agentId`). */
export function ApiAgentKey(idField: string): PropertyDecorator {
  return ApiProperty({
    type: String,
    nullable: true,
    example: 'agent_sena',
    description: `The key of the agent ${idField} names; null when that agent has no key (or no agent is named)`,
  });
}
