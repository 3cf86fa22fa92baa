import { checksumOf } from '../../../src/cli/legacy-import/checksum';
import { holdingWorkflowId, legacyTargetId } from '../../../src/cli/legacy-import/target-id';

describe('legacyTargetId', () => {
  const at = new Date('2024-03-01T10:02:00.250Z');

  it('is the same for the same tenant, table and legacy id, and differs when any of them does', () => {
    const id = legacyTargetId('acme', 'objects', 'a1', at);
    expect(legacyTargetId('acme', 'objects', 'a1', at)).toBe(id);
    expect(
      new Set([id, legacyTargetId('other', 'objects', 'a1', at), legacyTargetId('acme', 'things', 'a1', at), legacyTargetId('acme', 'objects', 'a2', at)]).size,
    ).toBe(4);
  });

  it('is a version 8 UUID that starts with the legacy created_at, so ids sort by legacy creation time', () => {
    const id = legacyTargetId('acme', 'objects', 'a1', at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at.getTime());
    const later = legacyTargetId('acme', 'objects', 'a0', new Date(at.getTime() + 1));
    expect([later, id].sort()).toEqual([id, later]);
  });

  it('gives each tenant and table its own holding workflow', () => {
    expect(holdingWorkflowId('acme', 'objects')).not.toBe(holdingWorkflowId('acme', 'things'));
    expect(holdingWorkflowId('acme', 'objects')).toBe(holdingWorkflowId('acme', 'objects'));
  });
});

describe('checksumOf', () => {
  it('does not depend on the order of object keys, and covers only the named fields', () => {
    const a = checksumOf({ metadata: { b: 1, a: [{ y: 2, x: 1 }] }, name: 'n', ignored: 1 }, ['name', 'metadata']);
    const b = checksumOf({ name: 'n', metadata: { a: [{ x: 1, y: 2 }], b: 1 }, ignored: 2 }, ['name', 'metadata']);
    expect(a).toBe(b);
    expect(checksumOf({ name: 'm', metadata: {} }, ['name', 'metadata'])).not.toBe(a);
  });

  it('compares dates as instants', () => {
    expect(checksumOf({ at: new Date('2024-03-01T10:00:00+02:00') }, ['at'])).toBe(checksumOf({ at: new Date('2024-03-01T08:00:00Z') }, ['at']));
  });
});
