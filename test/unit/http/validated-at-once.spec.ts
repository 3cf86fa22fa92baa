import 'reflect-metadata';
import { ClassConstructor } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { AppModule } from '../../../src/app.module';
import { accepted } from '../../../src/common/http/validated-at-once';
import { validateThroughLibraries } from '../../../src/common/http/validation';
import { CreateAgentDto } from '../../../src/modules/agents/dto/create-agent.dto';
import { BulkCreateAgentsDto } from '../../../src/modules/agents/dto/bulk-create-agents.dto';
import { UpdateTaskDto } from '../../../src/modules/tasks/dto/update-task.dto';
import { CreateServiceCallDto } from '../../../src/modules/outbox/dto/create-service-call.dto';
import { BulkCreateServiceCallsDto } from '../../../src/modules/outbox/dto/bulk-create-service-calls.dto';
import { CreateTaskDto } from '../../../src/modules/tasks/dto/create-task.dto';

/**
 * `accepted` must never accept what class-transformer and class-validator (as the app runs them)
 * refuse, and must build the same instance they build. Every validated class of the app is fed
 * random bodies made of the values its own rules and examples name, mixed with wrong ones.
 */

type Rule = { propertyName: string; type: string; name?: string; constraints?: unknown[] };
type Dto = ClassConstructor<object>;

const storage = getMetadataStorage() as unknown as {
  validationMetadatas: Map<Dto, Rule[]>;
  getTargetValidationMetadatas(type: Dto, schema: undefined, always: boolean, strict: boolean): Rule[];
};

const JUNK: unknown[] = [null, '', 'x', ' ', 0, -1, 1.5, 2 ** 31, true, false, {}, { a: 1 }, [], ['a'], [1], [{}], [null], 'not-a-uuid'];
const UUID = '0193b6c2-7a4e-7c3e-9d1f-2b6a8e4c1d00';

function hintsOf(rule: Rule): unknown[] {
  const [first] = rule.constraints ?? [];
  switch (rule.name) {
    case 'isIn':
      return first as unknown[];
    case 'maxLength':
    case 'minLength':
      return ['a'.repeat(first as number), 'a'.repeat((first as number) + 1), 'a'.repeat(Math.max(0, (first as number) - 1))];
    case 'min':
    case 'max':
      return [first, (first as number) + 1, (first as number) - 1, (first as number) + 0.5];
    case 'isUuid':
      return [UUID, UUID.toUpperCase()];
    case 'isInt':
      return [3, 3.5, '3'];
    case 'isObject':
      return [{ model: 'gpt-x' }, { nested: { toString: 'kept' } }];
    case 'isIsoTimestamp':
      return ['2026-01-02T03:04:05.000Z', '2026-01-02', 'yesterday'];
    default:
      return [];
  }
}

function exampleOf(type: Dto, property: string): unknown[] {
  const swagger = Reflect.getMetadata('swagger/apiModelProperties', type.prototype, property) as { example?: unknown; enum?: unknown[] } | undefined;
  return [...(swagger?.example !== undefined ? [swagger.example] : []), ...(Array.isArray(swagger?.enum) ? swagger.enum : [])];
}

function nestedTypeOf(type: Dto, property: string): Dto | undefined {
  const swagger = Reflect.getMetadata('swagger/apiModelProperties', type.prototype, property) as { type?: unknown } | undefined;
  const item: unknown = Array.isArray(swagger?.type) ? swagger.type[0] : swagger?.type;
  return typeof item === 'function' && storage.validationMetadatas.has(item as Dto) ? (item as Dto) : undefined;
}

/** How often (in %) a property is left out, and how often it gets a value its rules do not name. */
interface Mix {
  omit: number;
  junk: number;
}
const WIDE: Mix = { omit: 30, junk: 20 };
const MOSTLY_VALID: Mix = { omit: 5, junk: 3 };
const ABSENT = Symbol('absent');

/** Bodies for `type`: each property left out, or given a value its rules or examples name, or a wrong one. */
function bodies(type: Dto, mix: Mix, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const rules = storage.getTargetValidationMetadatas(type, undefined, false, false);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const property of new Set(rules.map((rule) => rule.propertyName))) {
    const own = rules.filter((rule) => rule.propertyName === property);
    // Optional properties (those with a condition: @IsOptional, @ValidateIf) are left out more often.
    const omit = own.some((rule) => rule.type === 'conditionalValidation') ? 50 : mix.omit;
    const nested = depth < 2 ? nestedTypeOf(type, property) : undefined;
    const hints = [...exampleOf(type, property), ...own.flatMap(hintsOf)];
    const named = nested
      ? fc.array(bodies(nested, mix, depth + 1), { minLength: 1, maxLength: 3 })
      : hints.length > 0
        ? fc.constantFrom(...hints)
        : fc.constantFrom(...JUNK);
    model[property] = fc.oneof(
      { weight: omit, arbitrary: fc.constant(ABSENT) },
      { weight: mix.junk, arbitrary: fc.constantFrom(...JUNK) },
      { weight: 100 - omit - mix.junk, arbitrary: named },
    );
  }
  model.unknownField = fc.oneof({ weight: mix.junk, arbitrary: fc.constant('x') }, { weight: 400 - mix.junk, arbitrary: fc.constant(ABSENT) });
  return fc.record(model).map((body) => Object.fromEntries(Object.entries(body).filter(([, value]) => value !== ABSENT)));
}

const dtoClasses = (): Dto[] => {
  expect(AppModule).toBeDefined(); // loads every validated class of the app
  return [...storage.validationMetadatas.keys()].filter((type) => typeof type === 'function');
};

describe('accepted (a valid DTO built and checked at once)', () => {
  it('accepts nothing the full validation refuses, and builds the instance it builds, for every validated class', async () => {
    const classes = dtoClasses();
    expect(classes.length).toBeGreaterThan(40);
    let acceptedCount = 0;
    for (const type of classes) {
      await fc.assert(
        fc.asyncProperty(bodies(type, WIDE), async (body) => {
          const quick = accepted(type, structuredClone(body));
          if (!quick) return;
          acceptedCount += 1;
          const full = await validateThroughLibraries(type, structuredClone(body));
          expect({ type: type.name, body, valid: full.ok }).toEqual({ type: type.name, body, valid: true });
          expect(quick).toStrictEqual(full.ok && full.value);
        }),
        { seed: 20261206, numRuns: 300 },
      );
    }
    expect(acceptedCount).toBeGreaterThan(1000);
  });

  it.each([CreateAgentDto, BulkCreateAgentsDto, CreateTaskDto, UpdateTaskDto, CreateServiceCallDto, BulkCreateServiceCallsDto])(
    'takes every body of %o the full validation accepts',
    async (type: Dto) => {
      let valid = 0;
      await fc.assert(
        fc.asyncProperty(bodies(type, MOSTLY_VALID), async (body) => {
          const full = await validateThroughLibraries(type, structuredClone(body));
          if (!full.ok) return;
          valid += 1;
          expect({ body, quick: accepted(type, structuredClone(body)) }).toEqual({ body, quick: full.value });
        }),
        { seed: 7, numRuns: 1000 },
      );
      expect(valid).toBeGreaterThan(50);
    },
  );

  it('keeps free-form JSON exactly as sent, and leaves refusals to the full way', () => {
    const metadata = { toString: 'a key named like a prototype member', nested: { valueOf: 1 } };
    const agent = accepted(CreateAgentDto, { name: 'a', role: 'r', metadata });
    expect(agent).toBeInstanceOf(CreateAgentDto);
    expect(agent).toMatchObject({ name: 'a', role: 'r' });
    expect((agent as CreateAgentDto).metadata).toBe(metadata);
    expect(accepted(CreateAgentDto, { name: 'a', role: 'r', extra: 1 })).toBeUndefined();
    expect(accepted(CreateAgentDto, { name: '', role: 'r' })).toBeUndefined();
    expect(accepted(CreateAgentDto, { name: 'a', role: 'r', status: null })).toBeUndefined();
    expect(accepted(CreateAgentDto, ['not', 'an', 'object'])).toBeUndefined();
    const bulk = accepted(BulkCreateAgentsDto, { items: [{ name: 'a', role: 'r' }] }) as BulkCreateAgentsDto;
    expect(bulk.items[0]).toBeInstanceOf(CreateAgentDto);
    expect(accepted(BulkCreateAgentsDto, { items: [{ name: 'a', role: 'r' }, 'b'] })).toBeUndefined();
    expect(accepted(BulkCreateAgentsDto, { items: [] })).toBeUndefined();
  });
});
