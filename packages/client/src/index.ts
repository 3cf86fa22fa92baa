export { AgentLedgerClient } from './client';
export type { ClientOptions } from './client';
export * from './errors';
export type {
  Agent,
  BodyOf,
  CallOptions,
  DocumentedProblem,
  DomainEvent,
  Message,
  Method,
  Path,
  paths,
  PathsWith,
  ProblemCode,
  ProblemOf,
  QueryOf,
  RequestOptions,
  ResponseOf,
  ServiceCall,
  ServiceCallInput,
  Task,
  Workflow,
} from './api-types';
export type { EventHandler, SubscribeOptions, Subscription } from './events';
export { HttpTransport } from './http';
export type { RawResponse, TransportOptions } from './http';
export type { WaitOptions } from './results';
export { backoffDelay, parseRetryAfter } from './retry';
export type { RetryInfo, RetryOptions } from './retry';
export { readServerSentEvents } from './sse';
export type { SseMessage } from './sse';
