import 'reflect-metadata';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { getMetadataStorage, validate } from 'class-validator';
import { AppModule } from '../../../src/app.module';
import { accepted } from '../../../src/common/http/validated-at-once';
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

/** A seeded generator, so that a failure replays. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK: unknown[] = [null, '', 'x', ' ', 0, -1, 1.5, 2 ** 31, true, false, {}, { a: 1 }, [], ['a'], [1], [{}], [null], 'not-a-uuid'];
const UUID = '0193b6c2-7a4e-7c3e-9d1f-2b6a8e4c1d00';

function hintsOf(type: Dto, rule: Rule): unknown[] {
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

/** How often a property is left out, and how often it gets a value its rules do not name. */
interface Mix {
  omit: number;
  junk: number;
}
const WIDE: Mix = { omit: 0.3, junk: 0.2 };
const MOSTLY_VALID: Mix = { omit: 0.05, junk: 0.03 };

function bodyFor(type: Dto, next: () => number, mix: Mix, depth = 0): Record<string, unknown> {
  const rules = storage.getTargetValidationMetadatas(type, undefined, false, false);
  const properties = [...new Set(rules.map((rule) => rule.propertyName))];
  const pick = <T>(values: T[]): T => values[Math.floor(next() * values.length)];
  const body: Record<string, unknown> = {};
  for (const property of properties) {
    // Optional properties (those with a condition: @IsOptional, @ValidateIf) are left out more often.
    const optional = rules.some((rule) => rule.propertyName === property && rule.type === 'conditionalValidation');
    if (next() < (optional ? 0.5 : mix.omit)) continue;
    const nested = depth < 2 ? nestedTypeOf(type, property) : undefined;
    const junk = next() < mix.junk;
    if (nested && !junk) {
      body[property] = Array.from({ length: 1 + Math.floor(next() * 3) }, () => bodyFor(nested, next, mix, depth + 1));
      continue;
    }
    const hints = [...exampleOf(type, property), ...rules.filter((rule) => rule.propertyName === property).flatMap((rule) => hintsOf(type, rule))];
    body[property] = hints.length > 0 && !junk ? pick(hints) : pick(JUNK);
  }
  if (next() < mix.junk / 4) body.unknownField = 'x';
  return body;
}

async function fullWay(type: Dto, body: object): Promise<{ valid: boolean; instance: object }> {
  const instance = plainToInstance(type, body);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  return { valid: errors.length === 0, instance };
}

const dtoClasses = (): Dto[] => {
  expect(AppModule).toBeDefined(); // loads every validated class of the app
  return [...storage.validationMetadatas.keys()].filter((type) => typeof type === 'function');
};

describe('accepted (a valid DTO built and checked at once)', () => {
  it('accepts nothing the full validation refuses, and builds the instance it builds, for every validated class', async () => {
    const next = random(20261206);
    const classes = dtoClasses();
    expect(classes.length).toBeGreaterThan(40);
    let acceptedCount = 0;
    for (const type of classes) {
      for (let round = 0; round < 300; round++) {
        const body = bodyFor(type, next, WIDE);
        const quick = accepted(type, structuredClone(body));
        if (!quick) continue;
        acceptedCount += 1;
        const full = await fullWay(type, structuredClone(body));
        expect({ type: type.name, body, valid: full.valid }).toEqual({ type: type.name, body, valid: true });
        expect(quick).toStrictEqual(full.instance);
      }
    }
    expect(acceptedCount).toBeGreaterThan(1000);
  });

  it.each([CreateAgentDto, BulkCreateAgentsDto, CreateTaskDto, UpdateTaskDto, CreateServiceCallDto, BulkCreateServiceCallsDto])(
    'takes every body of %o the full validation accepts',
    async (type: Dto) => {
      const next = random(7);
      let valid = 0;
      for (let round = 0; round < 1000; round++) {
        const body = bodyFor(type, next, MOSTLY_VALID);
        const full = await fullWay(type, structuredClone(body));
        if (!full.valid) continue;
        valid += 1;
        expect({ body, quick: accepted(type, structuredClone(body)) }).toEqual({ body, quick: full.instance });
      }
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
