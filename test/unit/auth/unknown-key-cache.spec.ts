import { UnknownKeyCache } from '../../../src/common/auth/unknown-key-cache';

describe('UnknownKeyCache', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('remembers a hash for its TTL, then forgets it', () => {
    const cache = new UnknownKeyCache(10, 5000, clock);
    cache.add('a');
    now += 4999;
    expect(cache.has('a')).toBe(true);
    now += 1;
    expect(cache.has('a')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('holds at most its capacity, dropping the oldest hashes first', () => {
    const cache = new UnknownKeyCache(3, 5000, clock);
    for (const hash of ['a', 'b', 'c', 'd', 'e']) cache.add(hash);
    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].filter((hash) => cache.has(hash))).toEqual(['c', 'd', 'e']);
  });

  it('counts a hash added again as the newest, with a fresh TTL', () => {
    const cache = new UnknownKeyCache(2, 5000, clock);
    cache.add('a');
    cache.add('b');
    now += 3000;
    cache.add('a');
    cache.add('c');
    expect(cache.has('b')).toBe(false);
    now += 4000;
    expect(cache.has('a')).toBe(true);
  });

  it('forgets everything on clear, and remembers nothing with a TTL of 0', () => {
    const cache = new UnknownKeyCache(10, 5000, clock);
    cache.add('a');
    cache.clear();
    expect(cache.has('a')).toBe(false);
    const off = new UnknownKeyCache(10, 0, clock);
    off.add('a');
    expect(off.has('a')).toBe(false);
  });
});
