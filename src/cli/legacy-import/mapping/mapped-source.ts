import { RawLegacyRow } from '../legacy-row';
import { LegacySource, ScannedRow } from '../sources/legacy-source';
import { transformFields } from './field-transform';
import { LegacyMapping } from './legacy-mapping';

/**
 * A source read through a mapping: every row comes out with its known type name and its data in
 * the documented shape, so the planner, the import, `--verify` and `--cleanup` work on it as on
 * any other source (the ledger records the known type). Rows of types the mapping does not name
 * are handed over as they are.
 */
export class MappedSource implements LegacySource {
  readonly description: string;

  constructor(
    private readonly source: LegacySource,
    private readonly mapping: LegacyMapping,
  ) {
    this.description = `${source.description} (mapping ${mapping.origin})`;
  }

  checkShape(): Promise<void> {
    return this.source.checkShape();
  }

  async *scan(pageSize: number, withData: ReadonlySet<string>): AsyncIterable<ScannedRow[]> {
    const sourceTypes = new Set([...withData, ...[...this.mapping.types].filter(([, spec]) => withData.has(spec.as)).map(([name]) => name)]);
    for await (const page of this.source.scan(pageSize, sourceTypes)) {
      yield page.map((row) => {
        const mapped = this.mapRow({ ...row, createdAt: null, updatedAt: null });
        return { id: row.id, type: mapped.type, data: mapped.problem === undefined ? mapped.data : row.data };
      });
    }
  }

  async fetch(ids: string[]): Promise<RawLegacyRow[]> {
    return (await this.source.fetch(ids)).map((row) => this.mapRow(row));
  }

  async countByType(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const [type, n] of await this.source.countByType()) {
      const known = this.mapping.types.get(type)?.as ?? type;
      counts.set(known, (counts.get(known) ?? 0) + n);
    }
    return counts;
  }

  delete(ids: string[]): Promise<number> {
    return this.source.delete(ids);
  }

  save(): Promise<void> {
    return this.source.save();
  }

  close(): Promise<void> {
    return this.source.close();
  }

  /** The row with its known type and transformed data; data that is not a JSON object is left for the parser to refuse. */
  private mapRow(row: RawLegacyRow): RawLegacyRow {
    const spec = row.type === null ? undefined : this.mapping.types.get(row.type);
    const type = spec?.as ?? row.type;
    let data: unknown;
    try {
      data = JSON.parse(row.data ?? 'null');
    } catch {
      return { ...row, type };
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return { ...row, type };
    const transformed = transformFields(data as Record<string, unknown>, this.mapping, spec);
    if (!transformed.ok) return { ...row, type, problem: transformed.problem };
    return { ...row, type, data: JSON.stringify(transformed.data) };
  }
}
