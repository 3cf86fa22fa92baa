import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** An API key. Only its SHA-256 hash is stored; the key itself is shown once, at creation. */
@Entity('api_keys')
@Index(['tenantId', 'name'])
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  tenantId: string;

  @Column({ type: 'text' })
  name: string;

  /** The first characters of the key: enough to recognise it in a list, useless to authenticate. */
  @Column({ type: 'text' })
  keyPrefix: string;

  @Index({ unique: true })
  @Column({ type: 'text' })
  keyHash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** After this instant the key is refused: set at creation (`--expires-in`) or by a rotation's grace period. */
  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /**
   * Whether a request with this key may name its actor with `X-Actor-Id` (otherwise the actor is
   * the key's name, and a request that names another is refused). Set at creation, kept by a rotation.
   */
  @Column({ type: 'boolean', default: true })
  actorOverride: boolean;

  /** When the key last authenticated a request, to the minute (written off the request path). */
  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
