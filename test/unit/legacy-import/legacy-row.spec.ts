import { parseLegacyRow, parseTimestamp } from '../../../src/cli/legacy-import/legacy-row';

describe('parseTimestamp', () => {
  it.each([
    ['2024-03-01T10:02:00.250Z', '2024-03-01T10:02:00.250Z'],
    ['2024-03-01 10:02:00', '2024-03-01T10:02:00.000Z'], // SQLite's datetime(): no zone means UTC
    ['2024-03-01T10:02:00.123456+02:00', '2024-03-01T08:02:00.123Z'],
    ['2024-03-01T10:02-0130', '2024-03-01T11:32:00.000Z'],
    ['2024-03-01', '2024-03-01T00:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseTimestamp(text)?.toISOString()).toBe(iso);
  });

  it('takes epoch milliseconds as they are (what the PostgreSQL sources hand over)', () => {
    expect(parseTimestamp(1_709_287_320_250)?.toISOString()).toBe('2024-03-01T10:02:00.250Z');
  });

  it.each(['2024-02-30T00:00:00Z', '2024-03-01T25:00:00Z', 'yesterday', '1709287320', ''])('refuses %j', (text) => {
    expect(parseTimestamp(text)).toBeNull();
  });

  it('refuses what is not a finite time', () => {
    expect(parseTimestamp(Number.POSITIVE_INFINITY)).toBeNull();
    expect(parseTimestamp(null)).toBeNull();
  });
});

describe('parseLegacyRow', () => {
  const raw = { id: 'a1', type: 'agent', data: '{"name":"x"}', createdAt: '2024-03-01T00:00:00Z', updatedAt: null };

  it('parses the data and falls back to created_at for a missing updated_at', () => {
    const parsed = parseLegacyRow(raw);
    expect(parsed).toEqual({
      ok: true,
      value: { id: 'a1', type: 'agent', data: { name: 'x' }, createdAt: new Date('2024-03-01T00:00:00Z'), updatedAt: new Date('2024-03-01T00:00:00Z') },
    });
  });

  it.each([
    [{ data: '{"name":' }, /^data is not valid JSON/],
    [{ data: '[1, 2]' }, /^data must be a JSON object$/],
    [{ data: null }, /^data is null$/],
    [{ createdAt: 'soon' }, /^created_at is not a timestamp \("soon"\)$/],
    [{ updatedAt: '2024-13-01' }, /^updated_at is not a timestamp/],
  ])('rejects %j with a reason', (change, reason) => {
    const parsed = parseLegacyRow({ ...raw, ...change });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toMatch(reason);
  });
});
