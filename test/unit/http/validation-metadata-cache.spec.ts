import 'reflect-metadata';
import { IsInt, IsString, Min, registerDecorator } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { validateBody } from '../../../src/common/http/validation';

class Base {
  @IsString()
  name!: string;
}

class Derived extends Base {
  @IsInt()
  @Min(1)
  count!: number;
}

const fields = async (type: new () => object, plain: object) => {
  const checked = await validateBody(type, plain);
  return checked.ok ? [] : checked.errors.map((error) => error.field).sort();
};

describe('validation with the rules of each class remembered', () => {
  it('applies a class’s own rules and its ancestors’, the same on every validation', async () => {
    for (let round = 0; round < 3; round++) {
      expect(await fields(Derived, { name: 'a', count: 2 })).toEqual([]);
      expect(await fields(Derived, { name: 7, count: 0 })).toEqual(['count', 'name']);
      expect(await fields(Derived, { name: 'a', count: 2, extra: true })).toEqual(['extra']);
      expect(await fields(Base, { name: 'a', count: 2 })).toEqual(['count']);
    }
  });

  it('takes a rule declared after a class was first validated into account', async () => {
    class Late {
      @IsString()
      label!: string;
    }
    expect(await fields(Late, { label: 'x' })).toEqual([]);
    registerDecorator({
      target: Late,
      propertyName: 'label',
      validator: { validate: (value: unknown) => typeof value === 'string' && value.length > 1 },
      options: { message: 'label is too short' },
    });
    expect(await fields(Late, { label: 'x' })).toEqual(['label']);
    expect(await fields(Late, { label: 'xy' })).toEqual([]);
  });
});
