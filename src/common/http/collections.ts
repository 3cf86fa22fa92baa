import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** A cursor page of `item`: `export class AgentPage extends PageOf(AgentResponse) {}` names its schema. */
export function PageOf<T>(item: Type<T>) {
  class Page {
    @ApiProperty({ type: [item] })
    items: T[];

    @ApiProperty({ type: String, nullable: true, description: 'Pass as ?cursor= for the next page; null on the last page' })
    nextCursor: string | null;
  }
  return Page;
}

/** The items a bulk route wrote, in the order they were sent: `export class AgentList extends BulkOf(AgentResponse) {}`. */
export function BulkOf<T>(item: Type<T>) {
  class List {
    @ApiProperty({ type: [item] })
    items: T[];
  }
  return List;
}
