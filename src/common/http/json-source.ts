import { FieldError } from '../errors';

/**
 * What JSON.parse changes without a word, found in the text it parsed: a number it rounds (an
 * integer beyond 2^53, more significant digits than a double keeps, a non-zero number that becomes
 * 0, one that becomes Infinity), and a key repeated in one object (it keeps the last value).
 *
 * A number is stored as the shortest decimal of the double it parsed to (what JSON.stringify
 * writes); it is refused unless that decimal has the same value as the one sent. Every number of
 * at most 15 significant digits within a double's normal range passes, so only a number token of
 * 16 or more digit characters, or one with an exponent, is looked at. A repeated key leaves the
 * parsed value with fewer keys than the text has `"…":`; only then is the text walked (once) to
 * name the path.
 */
export function findAlteredJson(text: string, parsedKeys: number): FieldError | undefined {
  if (countKeyTokens(text) === parsedKeys && !hasAlteredNumber(text)) return undefined;
  return scanJsonText(text);
}

/**
 * A number token that may not survive parsing (16+ digit characters or an exponent), after the
 * start of the text or a `[`, `:` or `,`. Inside a string it is a false alarm that the walk clears.
 */
const RISKY_NUMBER = /(?:^|[[:,])\s*(-?(?:\d[\d.]{15,}|\d+(?:\.\d+)?[eE])[\d.eE+-]*)/g;
/** A closing quote followed by a colon: every key, plus `\":` inside strings (which only over-counts). */
const KEY_TOKEN = /"\s*:/g;

function countKeyTokens(text: string): number {
  KEY_TOKEN.lastIndex = 0;
  let count = 0;
  while (KEY_TOKEN.exec(text)) count++;
  return count;
}

function hasAlteredNumber(text: string): boolean {
  RISKY_NUMBER.lastIndex = 0;
  for (let match = RISKY_NUMBER.exec(text); match; match = RISKY_NUMBER.exec(text)) {
    if (alteredNumber(match[1]) !== undefined) return true;
  }
  return false;
}

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** `sign digits e exponent` with no leading or trailing zeros: equal values, equal strings. */
function canonicalDecimal(literal: string): string | undefined {
  const match = NUMBER.exec(literal);
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  const significant = digits.replace(/0+$/, '');
  return `${sign}${significant}e${Number(exponent) - fraction.length + (digits.length - significant.length)}`;
}

/** What the number becomes once parsed and written back, when that differs in value from the literal. */
export function alteredNumber(literal: string): string | undefined {
  const parsed = Number(literal);
  const stored = String(parsed);
  if (stored === literal) return undefined;
  if (!Number.isFinite(parsed)) return stored;
  const sent = canonicalDecimal(literal);
  return sent !== undefined && sent === canonicalDecimal(stored) ? undefined : stored;
}

function numberProblem(field: string, literal: string, stored: string): FieldError {
  const shown = literal.length > 40 ? `${literal.slice(0, 37)}...` : literal;
  const message = Number.isFinite(Number(stored))
    ? `${field} cannot be stored exactly as sent: ${shown} would become ${stored} (numbers keep 15 to 17 significant digits, integers up to 2^53); send it as a string`
    : `${field} is beyond the range of a JSON number: ${shown} would become ${stored}`;
  return { field, message };
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER_CHARS = /[-+.eE\d]/;

interface Container {
  /** The keys seen so far, in an object; undefined in an array. */
  keys?: Set<string>;
  index: number;
}

/**
 * Walks JSON text that JSON.parse accepted: the first number that would not be stored as sent, or
 * the first key repeated within one object, with its path (`items.3.metadata.id`).
 */
export function scanJsonText(text: string): FieldError | undefined {
  const path: string[] = [];
  const containers: Container[] = [];
  const field = () => path.join('.') || 'body';
  let expectingKey = false;
  let i = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    const char = text[i];
    if (WHITESPACE.has(code) || char === ':') {
      i++;
    } else if (char === '{' || char === '[') {
      containers.push(char === '{' ? { keys: new Set(), index: 0 } : { index: 0 });
      path.push(char === '{' ? '' : '0');
      expectingKey = char === '{';
      i++;
    } else if (char === '}' || char === ']') {
      containers.pop();
      path.pop();
      expectingKey = false;
      i++;
    } else if (char === ',') {
      const container = containers[containers.length - 1];
      if (container.keys) expectingKey = true;
      else path[path.length - 1] = String(++container.index);
      i++;
    } else if (char === '"') {
      const end = closingQuote(text, i);
      if (expectingKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        const keys = containers[containers.length - 1].keys!;
        path[path.length - 1] = key;
        if (keys.has(key)) return { field: field(), message: `${field()} is given twice in one object (only one value could be kept)` };
        keys.add(key);
        expectingKey = false;
      }
      i = end + 1;
    } else if (char === '-' || (code >= 0x30 && code <= 0x39)) {
      let end = i + 1;
      while (end < text.length && NUMBER_CHARS.test(text[end])) end++;
      const literal = text.slice(i, end);
      const stored = alteredNumber(literal);
      if (stored !== undefined) return numberProblem(field(), literal, stored);
      i = end;
    } else {
      // true, false, null
      i++;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start` (one preceded by an even run of backslashes). */
function closingQuote(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  for (;;) {
    if (end < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
}
