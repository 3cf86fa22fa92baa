/**
 * A deterministic corpus of insights for the full-text search benchmark: English sentences about
 * what agents learn in ten domains, with a long-tailed vocabulary, so that the search queries
 * match anywhere from a few dozen rows to a few percent of the corpus, as in real use.
 */

/** Bump when the generator changes: a stored corpus of another version is seeded again. */
export const CORPUS_VERSION = 2;

const DOMAINS = {
  reliability: [
    'retry',
    'backoff',
    'jitter',
    'timeout',
    'deadline',
    'circuit breaker',
    'idempotency key',
    'rate limit',
    'outage',
    'failover',
    'health check',
    'dead letter',
    'redelivery',
    'flaky dependency',
    'error budget',
  ],
  performance: [
    'latency',
    'throughput',
    'slow query',
    'index',
    'cache',
    'cache invalidation',
    'connection pool',
    'memory leak',
    'garbage collection',
    'batching',
    'p99',
    'hot path',
    'profiling',
    'query plan',
    'sequential scan',
  ],
  security: [
    'oauth token',
    'token rotation',
    'secret',
    'api key',
    'permission',
    'audit trail',
    'encryption',
    'injection',
    'tenant isolation',
    'password reset',
    'session hijack',
    'certificate',
    'vulnerability',
    'least privilege',
    'redaction',
  ],
  data: [
    'schema migration',
    'backfill',
    'duplicate rows',
    'foreign key',
    'partition',
    'replication lag',
    'snapshot',
    'vacuum',
    'json column',
    'data quality',
    'null handling',
    'deduplication',
    'checksum',
    'retention policy',
    'export',
  ],
  ml: [
    'embedding',
    'embedding drift',
    'hallucination',
    'prompt',
    'context window',
    'fine tuning',
    'evaluation set',
    'temperature',
    'tool call',
    'retrieval',
    'reranking',
    'token budget',
    'few shot examples',
    'model upgrade',
    'grounding',
  ],
  ops: [
    'deploy',
    'rollback',
    'canary',
    'feature flag',
    'on call',
    'runbook',
    'alert fatigue',
    'incident review',
    'autoscaling',
    'disk pressure',
    'log volume',
    'config drift',
    'blue green',
    'maintenance window',
    'capacity plan',
  ],
  billing: [
    'invoice',
    'refund',
    'chargeback',
    'subscription',
    'proration',
    'tax rate',
    'currency',
    'payment retry',
    'dunning',
    'usage metering',
    'credit note',
    'trial expiry',
    'discount code',
    'overage',
    'billing cycle',
  ],
  support: [
    'ticket',
    'escalation',
    'first response',
    'satisfaction survey',
    'macro',
    'knowledge base',
    'churn risk',
    'sentiment',
    'handoff',
    'backlog',
    'priority queue',
    'customer reply',
    'resolution time',
    'tagging',
    'duplicate ticket',
  ],
  research: [
    'literature search',
    'citation',
    'summary',
    'hypothesis',
    'experiment',
    'benchmark',
    'ablation',
    'dataset',
    'survey paper',
    'baseline',
    'replication',
    'preprint',
    'methodology',
    'result table',
    'open question',
  ],
  planning: [
    'task graph',
    'dependency',
    'subtask',
    'deadline slip',
    'critical path',
    'estimate',
    'milestone',
    'parallel agents',
    'handover',
    'blocked task',
    'priority',
    'scope cut',
    'replanning',
    'status report',
    'checkpoint',
  ],
};

const SUBJECTS = [
  'The crawler',
  'The planner agent',
  'A worker',
  'The billing service',
  'The support agent',
  'Our research agent',
  'The scheduler',
  'The ingestion job',
  'The API gateway',
  'A reviewer agent',
  'The nightly batch',
  'The coding agent',
  'The summarizer',
  'The triage bot',
  'The data pipeline',
];
const VERBS = [
  'improved',
  'broke',
  'reduced',
  'doubled',
  'stabilized',
  'masked',
  'exposed',
  'avoided',
  'caused',
  'fixed',
  'slowed',
  'sped up',
  'hid',
  'revealed',
  'simplified',
];
const CONNECTORS = ['when', 'after', 'because', 'until', 'while', 'once', 'unless', 'as soon as'];
const CONDITIONS = [
  'traffic peaked on Monday morning',
  'the upstream provider changed its limits',
  'two agents wrote the same row',
  'the queue backed up overnight',
  'a release went out without review',
  'the dataset grew past a million rows',
  'customers retried their requests',
  'the model was swapped for a larger one',
  'the cache was cold after a restart',
  'a region failed over',
  'the team added more parallel workers',
  'inputs arrived out of order',
];
/** Specifics that few insights mention: the selective end of the queries. */
const DETAILS = [
  'ECONNRESET from the upstream',
  'an OOMKilled pod',
  'a deadlock detected by PostgreSQL',
  'a stale DNS record',
  'clock skew between hosts',
  'a malformed UTF-8 payload',
  'a TLS handshake failure',
  'a runaway cron job',
  'a full inode table',
  'a split brain between replicas',
  'a thundering herd of reconnects',
  'a poison message in the queue',
  'a hot partition',
  'a webhook storm',
  'a schema mismatch in a Parquet file',
  'a GPU out of memory error',
  'a truncated CSV export',
  'an unbounded recursion in a prompt template',
  'a leaked file descriptor',
  'a misconfigured CORS header',
];

const CLOSINGS = [
  'Keep an eye on it in the weekly review.',
  'Document the fix in the runbook.',
  'Confidence is moderate until it happens again.',
  'This matched what the previous incident showed.',
  'Measure again after the next release.',
  'Other teams reported the same pattern.',
  'Worth automating before it recurs.',
  'No customer noticed, but it was close.',
];

/** mulberry32: a small, fast, seeded PRNG, so every run generates the same corpus. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zipf-like pick: the first terms of a list come up far more often than the last. */
function zipf(random, list) {
  const index = Math.floor(list.length * random() ** 2.2);
  return list[Math.min(list.length - 1, index)];
}

const pick = (random, list) => list[Math.floor(random() * list.length)];

const DOMAIN_NAMES = Object.keys(DOMAINS);
const capitalize = (text) => text[0].toUpperCase() + text.slice(1);

/**
 * Insight number `index` of the corpus: `{ summary, domain, confidence, content }`. Content is
 * three to six sentences (about 50 to 110 words), mostly about its own domain, sometimes another.
 */
export function corpusInsight(index) {
  const random = prng(index * 2654435761 + CORPUS_VERSION);
  const domain = DOMAIN_NAMES[index % DOMAIN_NAMES.length];
  const terms = DOMAINS[domain];
  const term = (r) => (r() < 0.85 ? zipf(r, terms) : zipf(r, DOMAINS[pick(r, DOMAIN_NAMES)]));
  const sentences = [];
  const count = 3 + Math.floor(random() * 4);
  for (let i = 0; i < count - 1; i++) {
    sentences.push(
      `${pick(random, SUBJECTS)} ${pick(random, VERBS)} the ${term(random)} ${pick(random, CONNECTORS)} ${pick(random, CONDITIONS)}, and the ${term(random)} followed.`,
    );
  }
  if (random() < 0.06) sentences.push(`The root cause was ${pick(random, DETAILS)}.`);
  sentences.push(pick(random, CLOSINGS));
  const main = term(random);
  return {
    summary: `${capitalize(main)} ${pick(random, VERBS)} ${pick(random, ['after', 'during', 'around'])} ${pick(random, ['the rollout', 'peak load', 'the migration', 'an incident', 'the experiment', 'a model change'])}`,
    domain,
    confidence: Math.round(random() * 100) / 100,
    content: sentences.join(' '),
  };
}

/**
 * Queries a search box would receive: single words, pairs, quoted phrases, `or` and `-word`,
 * from selective (a few hundred matches) to broad (over ten thousand).
 */
export const SEARCH_QUERIES = [
  'retry backoff',
  '"rate limit"',
  'connection pool latency',
  'memory leak',
  'cache invalidation -restart',
  'timeout or deadline',
  'embedding drift',
  'invoice refund',
  'oauth token rotation',
  'slow query index',
  'deploy rollback',
  'hallucination',
  'ECONNRESET',
  '"thundering herd"',
  'deadlock or "split brain"',
];
