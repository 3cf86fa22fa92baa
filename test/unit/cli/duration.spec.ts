import { parseDuration } from '../../../src/cli/args';

describe('parseDuration (--expires-in, --grace)', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['0s', 0],
    [' 1h ', 3_600_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', 'd', '1.5h', '-1h', '1y', '1 h', '30D', '3651d', '1h30m'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
