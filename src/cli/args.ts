/** `a b --flag value --switch` → positionals and flags; small enough not to need a library. */
export function parseArgs(argv: string[]): { positionals: string[]; flags: Record<string, string | true> } {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) flags[name] = inline;
    else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[name] = argv[++i];
    else flags[name] = true;
  }
  return { positionals, flags };
}

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const LONGEST_DURATION_MS = 10 * 365 * 86_400_000;

/** `90s`, `15m`, `12h`, `30d`, `2w` → milliseconds; undefined for anything else or beyond ten years. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([smhdw])$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * DURATION_UNITS[match[2]];
  return ms <= LONGEST_DURATION_MS ? ms : undefined;
}

/** Edit distance between two words (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The known word closest to a mistyped one, if it is close enough to be what was meant. */
export function closestWord(typed: string, known: readonly string[]): string | undefined {
  const [best] = known.map((word) => ({ word, distance: editDistance(typed, word) })).sort((x, y) => x.distance - y.distance);
  return best && best.distance <= Math.max(2, Math.floor(best.word.length / 3)) ? best.word : undefined;
}
