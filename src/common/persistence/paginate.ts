import { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { BadRequestError } from '../errors';

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID.test(id)) throw new BadRequestError('cursor is not one this API issued; pass the nextCursor of the previous page');
  return id;
}

/**
 * Keyset pagination in id order (ids are uuid v7, so this is creation order): stable under
 * concurrent inserts and an index range scan at any depth, unlike OFFSET.
 */
export async function paginate<T extends ObjectLiteral & { id: string }>(query: SelectQueryBuilder<T>, page: PageRequest): Promise<Page<T>> {
  const alias = query.alias;
  if (page.cursor) query.andWhere(`${alias}.id > :afterId`, { afterId: decodeCursor(page.cursor) });
  const rows = await query
    .orderBy(`${alias}.id`, 'ASC')
    .take(page.limit + 1)
    .getMany();
  const hasMore = rows.length > page.limit;
  const items = hasMore ? rows.slice(0, page.limit) : rows;
  return { items, nextCursor: hasMore ? encodeCursor(items[items.length - 1].id) : null };
}
