import { IMPORT_LEGACY_USAGE } from '../../../src/cli/legacy-import/legacy-import.usage';
import { LEGACY_TYPES } from '../../../src/cli/legacy-import/legacy-types';
import { createMappers } from '../../../src/cli/legacy-import/mappers';

describe('the legacy types', () => {
  it('documented in the usage are the ones mapped, in the order they are imported', () => {
    expect(createMappers().map((mapper) => mapper.type)).toEqual(LEGACY_TYPES.map(({ type }) => type));
    for (const { type, route } of LEGACY_TYPES) expect(IMPORT_LEGACY_USAGE).toMatch(new RegExp(`^\\s+${type}\\s+${route}\\s`, 'm'));
  });

  it('come after the types they reference', () => {
    const order = createMappers().map((mapper) => mapper.type);
    for (const mapper of createMappers()) {
      for (const reference of mapper.references) {
        if (reference.type !== mapper.type) expect(order.indexOf(reference.type), `${mapper.type}.${reference.field}`).toBeLessThan(order.indexOf(mapper.type));
      }
    }
  });
});
