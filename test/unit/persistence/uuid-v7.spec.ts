import { uuidv7 } from '../../../src/common/persistence/uuid-v7';

describe('uuidv7', () => {
  it('is a version 7, variant 1 uuid carrying the creation millisecond', () => {
    const now = Date.UTC(2026, 10, 22, 12, 0, 0);
    const id = uuidv7(now + 1_000_000);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now + 1_000_000);
  });

  it('sorts in creation order, even many ids in one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => uuidv7());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays increasing when the clock goes backwards', () => {
    const later = uuidv7(Date.now() + 60_000);
    const earlier = uuidv7(Date.now());
    expect(earlier > later).toBe(true);
  });
});
