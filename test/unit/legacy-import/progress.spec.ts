import { Progress } from '../../../src/cli/legacy-import/progress';

function recorder(isTTY: boolean) {
  const writes: string[] = [];
  let now = 0;
  return { stream: { isTTY, write: (text: string) => writes.push(text) }, writes, tick: (ms: number) => (now += ms), now: () => now };
}

describe('Progress', () => {
  it('redraws one line in place on a terminal, with rows done of the total, the rate and the time left', () => {
    const r = recorder(true);
    const progress = new Progress(r.stream, r.now);
    progress.start('import-legacy', 1000);
    r.tick(1000);
    progress.advance(250);
    r.tick(10);
    progress.advance(10); // too soon to redraw
    const last = r.writes[r.writes.length - 1];
    expect(r.writes).toHaveLength(2);
    expect(last.startsWith('\r')).toBe(true);
    expect(last).not.toContain('\n');
    expect(last).toContain('import-legacy [######------------------] 250/1,000 rows  250 rows/s  ETA 3s');
    progress.finish();
    expect(r.writes.slice(-2).join('')).toContain('260/1,000 rows');
    expect(r.writes[r.writes.length - 1]).toBe('\n');
  });

  it('writes a plain line every 2 seconds elsewhere', () => {
    const r = recorder(false);
    const progress = new Progress(r.stream, r.now);
    progress.start('verify', 100);
    for (let i = 0; i < 10; i++) {
      r.tick(500);
      progress.advance(10);
    }
    progress.finish();
    expect(r.writes).toEqual([
      'verify: 100 rows\n',
      'verify: 40/100 rows (40%), 20 rows/s, ETA 3s\n',
      'verify: 80/100 rows (80%), 20 rows/s, ETA 1s\n',
      'verify: 100/100 rows (100%), 20 rows/s, ETA 0s\n',
    ]);
  });
});
