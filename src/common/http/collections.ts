import { applyDecorators, Type } from '@nestjs/common';
import { Type as TypeOf } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, ValidateNested } from 'class-validator';
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

/**
 * The `items` of a bulk request body: 1 to `max` objects, each validated as `item` (an array or a
 * scalar in place of an object is a 400 naming its index, never a row):
 * `class BulkCreateAgentsDto { @BulkItems(CreateAgentDto, 1000) items: CreateAgentDto[]; }`.
 */
export function BulkItems<T>(item: Type<T>, max: number): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: [item], minItems: 1, maxItems: max }),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(max),
    IsObject({ each: true, message: 'each item of $property must be an object' }),
    ValidateNested({ each: true }),
    TypeOf(() => item),
  );
}
