import { BadRequestError, PreconditionRequiredError } from '../../../src/common/errors';
import { parseExpectedVersion } from '../../../src/common/http/expected-version.decorator';

describe('expected version (If-Match or body version)', () => {
  it('reads a strong or weak ETag', () => {
    expect(parseExpectedVersion('"3"', undefined)).toBe(3);
    expect(parseExpectedVersion('W/"12"', undefined)).toBe(12);
  });

  it('prefers If-Match over the body', () => {
    expect(parseExpectedVersion('"4"', 9)).toBe(4);
  });

  it('falls back to a positive integer version in the body', () => {
    expect(parseExpectedVersion(undefined, 7)).toBe(7);
    expect(() => parseExpectedVersion(undefined, 0)).toThrow(BadRequestError);
    expect(() => parseExpectedVersion(undefined, '7')).toThrow(BadRequestError);
  });

  it('refuses a malformed If-Match and demands one when nothing names a version', () => {
    expect(() => parseExpectedVersion('abc', undefined)).toThrow(BadRequestError);
    expect(() => parseExpectedVersion('*', undefined)).toThrow(BadRequestError);
    expect(() => parseExpectedVersion(undefined, undefined)).toThrow(PreconditionRequiredError);
  });
});
