import { findUnstorableBody } from '../../../src/common/http/safe-json';

/** What the body parser answers for this text: the field refused, or undefined when it is stored as sent. */
const refused = (text: string) => findUnstorableBody(text, JSON.parse(text))?.field;

describe('a JSON body is stored as sent or refused', () => {
  it('keeps every number that parsing does not change', () => {
    const kept = [
      '0',
      '-0',
      '0.0',
      '0.1',
      '1E2',
      '1e5',
      '1.5e-7',
      '2.5e+300',
      '9007199254740991',
      '-9007199254740991',
      '0.30000000000000004',
      '100000000000000000000',
      '5e-324',
      '1.7976931348623157e308',
      String(Math.random()),
      String(-Math.random() * 1e6),
    ];
    for (const literal of kept) expect(refused(`{"n":${literal}}`), literal).toBeUndefined();
  });

  it('refuses a number that parsing would change, naming its path', () => {
    const changed = [
      '9007199254740993',
      '1453345304346730497',
      '-1453345304346730497',
      '18446744073709551616',
      '12345678901234567890',
      '1e-400',
      '-1e-400',
      '0.000001e-320',
      '1e400',
      '-1e400',
      '1e99999999999999999999',
      '0.1000000000000000000001',
      '3.14159265358979323846',
    ];
    for (const literal of changed) {
      expect(refused(`{"items":[{"m":{"v":[1,2,${literal}]}}]}`), literal).toBe('items.0.m.v.2');
      expect(refused(literal), literal).toBe('body');
    }
  });

  it('says what the number would have become', () => {
    const problem = findUnstorableBody('{"id":1453345304346730497}', JSON.parse('{"id":1453345304346730497}'));
    expect(problem).toEqual({ field: 'id', message: expect.stringContaining('1453345304346730500') });
    expect(problem!.message).toMatch(/send it as a string/);
  });

  it('ignores digits and exponents inside strings, keys included', () => {
    for (const text of [
      '{"s":"12345678901234567890"}',
      '{"s":"a:1e-400, [9007199254740993"}',
      '{"12345678901234567890":1}',
      '{"id":"0190a1e4-7c2b-7f00-8e4f-1e4a9b2c3d4e"}',
    ]) {
      expect(refused(text), text).toBeUndefined();
    }
  });

  it('refuses a key given twice in one object, at any depth, however it is spelled', () => {
    expect(refused('{"a":1,"a":2}')).toBe('a');
    expect(refused('{"x":{"b":1,"c":{"b":2},"b":3}}')).toBe('x.b');
    expect(refused('{"items":[{"n":1},{"n":1,"n":2}]}')).toBe('items.1.n');
    expect(refused('{"a":1,"\\u0061":2}')).toBe('a');
    expect(refused('{"a" : 1, "a": 2}')).toBe('a');
    expect(refused('{\n  "a\\\\": 1,\n  "b": 1,\n  "b": 2\n}')).toBe('b');
    expect(refused('[{"k":{}},{"k":{"z":null,"z":true}}]')).toBe('1.k.z');
  });

  it('keeps the same key in different objects, and quotes followed by colons inside strings', () => {
    for (const text of ['[{"a":1},{"a":2}]', '{"a":{"a":{"a":1}}}', '{"s":"x\\":1","t":"\\"a\\":"}', '{"a\\"":1,"a":2}', '{}', '[]', '"text"']) {
      expect(refused(text), text).toBeUndefined();
    }
  });
});
