import { InsightMatch } from './insights.repository';

/** `text` cut to at most `maxBytes` of UTF-8, never inside a character. */
export function cutUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back to the first byte of a character (continuation bytes are 10xxxxxx).
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** A match as a search answers it with content: what fitted of its content, and whether that is all of it. */
export interface MatchWithContent extends InsightMatch {
  content: string;
  contentTruncated: boolean;
}

/**
 * Gives the matches, in rank order, their content while the answer's budget of `budgetBytes`
 * (UTF-8) lasts: the first that does not fit whole gets what is left, the rest an empty string;
 * `contentTruncated` marks every content that is not whole (GET /insights/{id} has it all).
 */
export function contentWithin(matches: InsightMatch[], budgetBytes: number): MatchWithContent[] {
  let left = budgetBytes;
  return matches.map((match) => {
    const content = cutUtf8(match.content ?? '', left);
    left -= Buffer.byteLength(content, 'utf8');
    return { ...match, content, contentTruncated: Buffer.byteLength(content, 'utf8') < match.contentBytes };
  });
}
