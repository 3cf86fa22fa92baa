import pg from 'pg';

/**
 * The SQL statements this process sends to PostgreSQL while `work` runs (every pg client of the
 * app under test, in this process), whitespace collapsed. For tests of how many round trips a
 * request costs; it observes the real client, it replaces nothing.
 */
export async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = prototype.query;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    if (text) sent.push(text.replace(/\s+/g, ' ').trim());
    return query.apply(this, args);
  };
  try {
    await work();
  } finally {
    prototype.query = query;
  }
  return sent;
}
