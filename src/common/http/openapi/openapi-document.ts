import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Config } from '../../../config';
import { documentIdempotencyKeys } from '../idempotency.openapi';
import { documentBodyRefusals } from './body-refusals';
import { documentContributions } from './document-contributions';
import { operationIdOf } from './operation-ids';
import { documentPathIds } from './path-ids';
import { documentProblems, documentSharedProblems } from './problems';
import { markPublicRoutes } from './public-routes';
import { declareResponseHeaders } from './response-headers';
import { API_KEY_SECURITY, METRICS_SECURITY } from './security-schemes';

export { METRICS_SECURITY };

/** The tags of the document, in the order a reader meets them, each with what it groups. */
export const API_TAGS: Record<string, string> = {
  agents: 'Agents: registration, state, heartbeats and deletion; each is versioned (ETag / If-Match)',
  tasks: 'Tasks with subtasks and dependencies; a task is taken and completed under compare-and-set',
  workflows: 'Workflows and the tasks they group',
  messages: 'Messages between agents and their delivery status',
  'service calls (outbox)': 'Structured results handed to the outbox, persisted asynchronously, and their dead letters',
  knowledge: 'What agents learn: action logs, job results, insights and patterns',
  integrations: 'Objects imported from other systems, keyed by their source and external id',
  events: 'The feed of domain events, read from a cursor',
  metrics: 'Per-agent metrics, system metrics and the Prometheus scrape endpoint',
  'health-records': 'Health records reported by agents',
  health: 'Liveness and readiness of this process (no API key needed)',
  admin: 'Operator views across tenants, for keys of an admin tenant (ADMIN_TENANTS)',
};

/** Where clients reach the API: PUBLIC_URL when set, else the address this process listens on. */
export function serverUrl(config: Config): string {
  if (config.http.publicUrl) return config.http.publicUrl;
  const host = config.app.host.includes(':') ? `[${config.app.host}]` : config.app.host;
  return `http://${host}:${config.app.port}`;
}

/**
 * The OpenAPI document served at `/docs-json`: the contract generated clients are built from.
 * What every route shares (operationIds, public routes, response headers, Idempotency-Key, the
 * errors every route can answer) is said once here, so a new route inherits it; controllers add
 * what only the running application knows (DocumentContribution). The error answers are rendered
 * last, from the codes every pass has named.
 */
export function buildOpenApiDocument(app: INestApplication, config: Config): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('agent-ledger')
    .setDescription(
      'The persistence backbone for multi-agent LLM systems. Errors are application/problem+json (RFC 9457). ' +
        'Updates need If-Match: "<version>" (the ETag, with its quotes) and answer 409 when the resource changed meanwhile.',
    )
    .setVersion('0.1.0')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addServer(serverUrl(config))
    .addSecurity(API_KEY_SECURITY, { type: 'http', scheme: 'bearer', description: 'An API key from `npm run cli -- api-keys create`' })
    .addSecurity(METRICS_SECURITY, {
      type: 'http',
      scheme: 'bearer',
      description: 'With METRICS_AUTH on: METRICS_TOKEN, or a key of an admin tenant (ADMIN_TENANTS)',
    });
  for (const [name, description] of Object.entries(API_TAGS)) builder.addTag(name, description);
  const { contributions, providers } = documentContributions(app);
  const document = SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (controllerKey, methodKey) => operationIdOf(controllerKey, methodKey),
    extraModels: [...new Set(contributions.flatMap((contribution) => contribution.models?.(providers) ?? []))],
  });
  const contributed = contributions.flatMap(({ complete }) => (complete ? [(current: OpenAPIObject) => complete(current, providers)] : []));
  const passes = [
    documentIdempotencyKeys,
    markPublicRoutes,
    documentSharedProblems,
    documentBodyRefusals,
    documentPathIds,
    ...contributed,
    documentProblems,
    declareResponseHeaders,
  ];
  return passes.reduce((current, pass) => pass(current), document);
}
