/**
 * Readable operationIds (`createAgent`, `listAgents`, `getAgent`…), derived from the controller
 * and method names so that a new route gets one without saying anything; the few derived names
 * that read badly are overridden below. Generated clients name their functions after them.
 */

/** Controllers whose class name is not the resource they serve: [singular, plural]. */
const RESOURCE_NOUNS: Record<string, [string, string]> = {
  Messaging: ['Message', 'Messages'],
  Integrations: ['IntegratedObject', 'IntegratedObjects'],
  Outbox: ['ServiceCall', 'ServiceCalls'],
};

/** Methods named by their verb alone: the verb and whether it acts on one resource or on the collection. */
const VERBS: Record<string, [string, 'one' | 'many']> = {
  create: ['create', 'one'],
  get: ['get', 'one'],
  update: ['update', 'one'],
  remove: ['delete', 'one'],
  delete: ['delete', 'one'],
  list: ['list', 'many'],
};

/** `Controller.method` → operationId, where the derived name would be poor. */
const OVERRIDES: Record<string, string> = {
  'AgentsController.heartbeat': 'recordAgentHeartbeat',
  'AgentsController.counts': 'countAgentsByStatus',
  'TasksController.countByStatus': 'countTasksByStatus',
  'AgentMetricsController.forAgent': 'getAgentMetrics',
  'IntegrationsController.import': 'importIntegratedObject',
  'MessagingController.send': 'sendMessage',
  'MessagingController.changeStatus': 'changeMessageStatus',
  'MessagingController.listForAgent': 'listAgentMessages',
  'MessagingController.listForTask': 'listTaskMessages',
  'OutboxAdminController.list': 'listDeadLettersOfAllTenants',
  'OutboxAdminController.redrive': 'redriveDeadLettersOfAllTenants',
  'OutboxController.deadLetters': 'listDeadLetters',
  'OutboxController.handlers': 'listHandlers',
  'OutboxController.redrive': 'redriveDeadLetter',
  'PatternsController.mostUsed': 'listMostUsedPatterns',
  'PatternsController.use': 'recordPatternUsage',
  'HealthController.live': 'checkLiveness',
  'HealthController.ready': 'checkReadiness',
  'PrometheusController.metrics': 'getPrometheusMetrics',
};

/** What a readable operationId looks like: a lower-case verb, then PascalCase words. */
export const OPERATION_ID_PATTERN = /^[a-z]+(?:[A-Z][a-z0-9]*)+$/;

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

function singular(plural: string): string {
  if (plural.endsWith('ies')) return `${plural.slice(0, -3)}y`;
  return plural.endsWith('s') ? plural.slice(0, -1) : plural;
}

function nounsOf(controllerKey: string): [string, string] {
  const base = controllerKey.replace(/Controller$/, '');
  return RESOURCE_NOUNS[base] ?? [singular(base), base];
}

/**
 * `AgentsController.create` → `createAgent`, `.list` → `listAgents`, `.createMany` → `bulkCreateAgents`,
 * `TasksController.listSubtasks` → `listTaskSubtasks`, `InsightsController.search` → `searchInsights`.
 */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  const override = OVERRIDES[`${controllerKey}.${methodKey}`];
  if (override) return override;
  const [one, many] = nounsOf(controllerKey);
  const verb = VERBS[methodKey];
  if (verb) return `${verb[0]}${verb[1] === 'one' ? one : many}`;
  const bulk = /^([a-z]+)Many$/.exec(methodKey);
  if (bulk) return `bulk${capitalize(bulk[1])}${many}`;
  // `listSubtasks` → `list` + `Task` + `Subtasks`; a single word (`search`, `count`) acts on the collection.
  const [, head, rest] = /^([a-z]+)(.*)$/.exec(methodKey) ?? [methodKey, methodKey, ''];
  return rest === '' ? `${head}${many}` : `${head}${one}${rest}`;
}
