import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { hydrate } from '../../common/persistence/hydrate';
import { Page, PageRequest, paginate } from '../../common/persistence/paginate';
import { Insight } from './insight.entity';

/** An insight that matched a search, with its rank and the matching passages marked. */
export interface InsightMatch {
  insight: Insight;
  rank: number;
  highlight: string;
}

/** Marks matches as <b>…</b> and joins up to three fragments with " … ". */
const HEADLINE_OPTIONS = 'StartSel=<b>, StopSel=</b>, MaxFragments=3, MaxWords=30, MinWords=8, FragmentDelimiter=" … "';

/** Every query on `insights` (inserts go through UnitOfWork.insert, or insertReturning in a handler's transaction). */
@Injectable()
export class InsightsRepository {
  constructor(private readonly dataSource: DataSource) {}

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
   */
  async search(
    tenantId: string,
    text: string,
    options: { domain?: string; limit: number },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<InsightMatch[]> {
    const rows: Record<string, unknown>[] = await manager.query(
      `SELECT i.id, i.version, i.created_at, i.updated_at, i.tenant_id, i.summary, i.domain, i.confidence, i.content,
              i.created_by, i.updated_by,
              ts_rank(i.search, q.query) AS rank_,
              ts_headline('english', i.summary || ' ' || i.content, q.query, $4) AS highlight_
       FROM insights i, websearch_to_tsquery('english', $2) AS q(query)
       WHERE i.tenant_id = $1 AND i.search @@ q.query AND ($3::text IS NULL OR i.domain = $3)
       ORDER BY rank_ DESC, i.id ASC
       LIMIT $5`,
      [tenantId, text, options.domain ?? null, HEADLINE_OPTIONS, options.limit],
    );
    return rows.map((row) => ({ insight: hydrate(manager, Insight, row), rank: Number(row.rank_), highlight: String(row.highlight_) }));
  }
}
