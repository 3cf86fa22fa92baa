import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The ledger of the legacy import: one row per legacy row imported, written in the same statement
 * as the typed row it became. Its key makes a re-run skip what is done; its checksum of the mapped
 * fields is what `--verify` compares the source and the target with.
 */
@Entity('legacy_imports')
export class LegacyImport {
  @PrimaryColumn('text')
  tenantId: string;

  /** The legacy table, as named by `--table`. */
  @PrimaryColumn('text')
  sourceTable: string;

  @PrimaryColumn('text')
  legacyId: string;

  @Column({ type: 'text' })
  legacyType: string;

  @Column({ type: 'text' })
  targetTable: string;

  @Column({ type: 'uuid' })
  targetId: string;

  /** SHA-256 (hex) of the mapped fields, as written. */
  @Column({ type: 'text' })
  checksum: string;

  @CreateDateColumn({ type: 'timestamptz' })
  importedAt: Date;
}
