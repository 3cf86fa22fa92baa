import { BadRequestError } from '../../../src/common/errors';
import { canonicalJson, idempotencyKeyOf, requestHash } from '../../../src/common/http/idempotency-key';

describe('Idempotency-Key', () => {
  it('is absent, or 1 to 255 printable ASCII characters', () => {
    expect(idempotencyKeyOf({})).toBeUndefined();
    expect(idempotencyKeyOf({ 'idempotency-key': '0c9f0d5e-4bb3-4c55-9a0e-1f3e7f6c2a10' })).toBe('0c9f0d5e-4bb3-4c55-9a0e-1f3e7f6c2a10');
    expect(idempotencyKeyOf({ 'idempotency-key': 'order 42 / retry' })).toBe('order 42 / retry');
    expect(idempotencyKeyOf({ 'idempotency-key': 'k'.repeat(255) })).toHaveLength(255);
  });

  it.each([
    ['empty', ''],
    ['256 characters', 'k'.repeat(256)],
    ['a tab', 'a\tb'],
    ['a control character', 'a\u0001b'],
    ['a non-ASCII character', 'clé'],
  ])('refuses a key with %s (400)', (_what, key) => {
    expect(() => idempotencyKeyOf({ 'idempotency-key': key })).toThrow(BadRequestError);
  });

  it('refuses the header sent twice', () => {
    expect(() => idempotencyKeyOf({ 'idempotency-key': ['a', 'b'] })).toThrow(BadRequestError);
  });
});

describe('request hash', () => {
  it('ignores member order and whitespace, not values, arrays order or the target', () => {
    const body = { name: 'a', metadata: { x: 1, y: [1, { b: 2, a: 1 }] } };
    const same = JSON.parse('{ "metadata": { "y": [1, { "a": 1, "b": 2 }], "x": 1 }, "name": "a" }');
    expect(requestHash('POST', '/api/v1/agents', same)).toBe(requestHash('POST', '/api/v1/agents', body));
    expect(requestHash('POST', '/api/v1/agents', { ...body, name: 'b' })).not.toBe(requestHash('POST', '/api/v1/agents', body));
    expect(requestHash('POST', '/api/v1/agents', { ...body, metadata: { x: 1, y: [{ b: 2, a: 1 }, 1] } })).not.toBe(
      requestHash('POST', '/api/v1/agents', body),
    );
    expect(requestHash('POST', '/api/v1/workflows', body)).not.toBe(requestHash('POST', '/api/v1/agents', body));
    expect(requestHash('POST', '/api/v1/agents/bulk', undefined)).not.toBe(requestHash('POST', '/api/v1/agents/bulk', {}));
  });

  it('writes canonical JSON with sorted members at every depth', () => {
    expect(canonicalJson({ b: [{ d: 1, c: null }], a: 'x', u: undefined })).toBe('{"a":"x","b":[{"c":null,"d":1}]}');
  });
});
