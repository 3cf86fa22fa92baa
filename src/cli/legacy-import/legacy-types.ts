/**
 * The legacy types the import knows, in the order it imports them (each after the types it
 * references), with the API route whose body their `data` is. Fields marked `*` hold legacy ids.
 * Kept free of imports so that the CLI's usage text costs nothing to load.
 */
export const LEGACY_TYPES = [
  { type: 'agent', route: 'POST /agents', fields: 'name, role, description?, status?, metadata?' },
  { type: 'workflow', route: 'POST /workflows', fields: 'description, input?' },
  { type: 'task', route: 'POST /tasks', fields: 'description, workflowId?*, parentTaskId?*, agentId?*, dependsOn?*: [...], priority?, input?' },
  { type: 'message', route: 'POST /messages', fields: 'fromAgentId*, toAgentId*, taskId?*, type, content' },
  { type: 'job_result', route: 'POST /job-results', fields: 'jobId, taskId?*, agentId?*, status?, outputArtifacts?, metrics?' },
  { type: 'action_log', route: 'POST /action-logs', fields: 'actionType, parameters?, error?, durationMs?, traceId?, agentId?*' },
  { type: 'insight', route: 'POST /insights', fields: 'summary, domain, confidence (0..1), content' },
  { type: 'pattern', route: 'POST /patterns', fields: 'trigger (unique per tenant), steps, usageCount?' },
  {
    type: 'integrated_object',
    route: 'POST /integrated-objects',
    fields: 'platform, originalId, companyId? (the three unique per tenant), objectType, originalData, integratedContent?, metadata?, summary?',
  },
] as const;
