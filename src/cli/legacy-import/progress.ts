export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const REDRAW_MS = 100;
const LINE_EVERY_MS = 2_000;
const BAR_WIDTH = 24;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Rows done out of a total, with the rate and the time left. On a terminal, one line redrawn in
 * place (at most every 100 ms); otherwise (a log file, a pipe) a plain line every 2 seconds.
 */
export class Progress {
  private total = 0;
  private done = 0;
  private started = 0;
  private lastDraw = 0;
  private label = '';

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {}

  start(label: string, total: number): void {
    this.label = label;
    this.total = total;
    this.done = 0;
    this.started = this.now();
    this.lastDraw = this.started;
    if (!this.stream.isTTY) this.stream.write(`${label}: ${total.toLocaleString('en-US')} rows\n`);
    else this.draw();
  }

  advance(rows: number): void {
    this.done += rows;
    const now = this.now();
    if (now - this.lastDraw < (this.stream.isTTY ? REDRAW_MS : LINE_EVERY_MS)) return;
    this.lastDraw = now;
    this.draw();
  }

  finish(): void {
    this.draw();
    if (this.stream.isTTY) this.stream.write('\n');
  }

  private draw(): void {
    const elapsed = Math.max(this.now() - this.started, 1) / 1000;
    const rate = this.done / elapsed;
    const left = this.total - this.done;
    const eta = left <= 0 ? '0s' : rate > 0 ? duration(left / rate) : '?';
    const counts = `${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} rows`;
    const speed = `${Math.round(rate).toLocaleString('en-US')} rows/s`;
    if (this.stream.isTTY) {
      const filled = this.total === 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.round((this.done / this.total) * BAR_WIDTH));
      const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
      this.stream.write(`\r${this.label} [${bar}] ${counts}  ${speed}  ETA ${eta}\x1b[K`);
    } else {
      const share = this.total === 0 ? 100 : Math.floor((this.done / this.total) * 100);
      this.stream.write(`${this.label}: ${counts} (${share}%), ${speed}, ETA ${eta}\n`);
    }
  }
}
