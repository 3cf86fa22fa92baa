import { FieldError } from '../../common/errors';
import { HandlerRegistry, invalidResultReason } from './handler-registry';

export const INTAKE_OUTCOMES = ['accepted', 'dead_lettered', 'duplicate'] as const;
export type IntakeOutcome = (typeof INTAKE_OUTCOMES)[number];

/** What the intake can tell about a result before storing it: who takes it, and whether it fits. */
export interface IntakeVerdict {
  /** `namespace/schema` of the handler that takes it; null when none does (it will be skipped). */
  handler: string | null;
  /** Why the result does not match the handler's schema, fields named `result.<path>`. */
  problems: FieldError[];
  /** The dead-letter reason when there are problems (the worker's wording for the same result). */
  reason: string | null;
}

/** Resolves the handler of a result and checks the result against its schema, as the worker would. */
export async function judgeResult(registry: HandlerRegistry, namespace: string, schema: string, result: unknown): Promise<IntakeVerdict> {
  const resolved = registry.resolve(namespace, schema);
  if (!resolved) return { handler: null, problems: [], reason: null };
  const found = await registry.problems(resolved, result);
  if (found.length === 0) return { handler: resolved.identity, problems: [], reason: null };
  const problems = found.map(({ field, message }) => ({ field: field ? `result.${field}` : 'result', message }));
  return { handler: resolved.identity, problems, reason: invalidResultReason(resolved.options.schema, found) };
}
