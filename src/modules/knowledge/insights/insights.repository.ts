import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CasKey, compareAndSet, deleteChecked, Patch } from '../../../common/persistence/compare-and-set';
import { hydrate } from '../../../common/persistence/hydrate';
import { Page, PageRequest, paginate } from '../../../common/persistence/paginate';
import { Insight } from './insight.entity';

/** An insight that matched a search: its fields but the content, its rank and the matching passages marked. */
export interface InsightMatch {
  insight: Omit<Insight, 'content'>;
  rank: number;
  highlight: string;
  /** The size of the whole content, in UTF-8 bytes. */
  contentBytes: number;
  /** The start of the content that the answer's budget left room for (see `search`); undefined when none was asked. */
  content?: string;
}

/** Marks matches as <b>…</b> and joins up to three fragments with " … ". */
const HEADLINE_OPTIONS = 'StartSel=<b>, StopSel=</b>, MaxFragments=3, MaxWords=30, MinWords=8, FragmentDelimiter=" … "';

/**
 * Highlights are taken from the summary and this many characters of the content: ts_headline
 * reads the whole text it is given (about 4 MB/s), and 200 matches of 100,000 characters each cost
 * seconds of a database connection; this bounds an answer's highlighting to a fraction of a second.
 */
export const HIGHLIGHT_CONTENT_CHARS = 10_000;

/** Every query on `insights` (inserts go through UnitOfWork.insert). */
@Injectable()
export class InsightsRepository {
  constructor(private readonly dataSource: DataSource) {}

  update(manager: EntityManager, key: CasKey, patch: Patch<Insight>): Promise<Insight> {
    return compareAndSet(manager, Insight, key, patch);
  }

  delete(manager: EntityManager, key: { tenantId: string; id: string; expectedVersion?: number }): Promise<number> {
    return deleteChecked(manager, Insight, key);
  }

  findById(tenantId: string, id: string): Promise<Insight | null> {
    return this.dataSource.manager.findOneBy(Insight, { tenantId, id });
  }

  list(tenantId: string, filters: { domain?: string }, page: PageRequest): Promise<Page<Insight>> {
    const query = this.dataSource.manager.createQueryBuilder(Insight, 'insight').where('insight.tenantId = :tenantId', { tenantId });
    if (filters.domain !== undefined) query.andWhere('insight.domain = :domain', { domain: filters.domain });
    return paginate(query, page);
  }

  /**
   * Full-text search over the generated `search` column (GIN-indexed): best match first, ties
   * oldest first. The query is parsed like a web search box (quoted phrases, `or`, `-word`).
   * The matches come from `insight_matches()`, which keeps the GIN index usable under row-level
   * security (see the RowLevelSecurity migration) and answers for the session's tenant only.
   * Content is read for the matches, in rank order, while the bytes of the ones before stay within
   * `contentBudget` (0: none), each as many characters as that leaves bytes: at most four times the
   * budget in all; the caller cuts it to the budget exactly (see contentWithin).
   */
  async search(
    tenantId: string,
    text: string,
    options: { domain?: string; limit: number; contentBudget: number },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<InsightMatch[]> {
    const rows: Record<string, unknown>[] = await manager.query(
      `WITH found AS (
         SELECT i.id, i.version, i.created_at, i.updated_at, i.tenant_id, i.summary, i.domain, i.confidence,
                i.created_by, i.created_by_key_id, i.updated_by, i.updated_by_key_id,
                m.rank AS rank_,
                octet_length(i.content) AS content_bytes_,
                ts_headline('english', i.summary || ' ' || left(i.content, $7), q.query, $4) AS highlight_,
                coalesce(sum(octet_length(i.content)) OVER (ORDER BY m.rank DESC, i.id ASC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before_
         FROM websearch_to_tsquery('english', $2) AS q(query)
         CROSS JOIN LATERAL insight_matches(q.query, $3::text, $5) AS m
         JOIN insights i ON i.id = m.id
         WHERE i.tenant_id = $1
         ORDER BY m.rank DESC, i.id ASC
         LIMIT $5
       )
       SELECT found.*, CASE WHEN found.before_ < $6 THEN left(i.content, ($6 - found.before_)::int) END AS content_
       FROM found JOIN insights i ON i.id = found.id
       ORDER BY found.rank_ DESC, found.id ASC`,
      [tenantId, text, options.domain ?? null, HEADLINE_OPTIONS, options.limit, options.contentBudget, HIGHLIGHT_CONTENT_CHARS],
    );
    return rows.map((row) => ({
      insight: hydrate(manager, Insight, row),
      rank: Number(row.rank_),
      highlight: String(row.highlight_),
      contentBytes: Number(row.content_bytes_),
      content: typeof row.content_ === 'string' ? row.content_ : undefined,
    }));
  }
}
