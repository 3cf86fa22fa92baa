import { ApiProperty } from '@nestjs/swagger';

export class HandlerResponse {
  @ApiProperty({ example: 'core', description: '`core` handlers serve every namespace that has no handler of its own for the schema' })
  namespace: string;

  @ApiProperty({ example: 'task.result@1' })
  schema: string;

  @ApiProperty({ description: 'Whether it writes a batch of results in one go (persistMany), or one at a time' })
  persistMany: boolean;

  @ApiProperty({ description: 'Whether the intake checks results against its schema (an invalid one is dead-lettered at once)' })
  validatesResult: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'CoreTaskResultV1',
    description:
      'The name of its result schema in the OpenAPI document (`components.schemas` of /docs-json), which also types the body of ' +
      'POST /service-calls for this schema; null when the handler takes any result',
  })
  resultSchema: string | null;
}

/** Every handler the service runs (not paged: there are a handful). */
export class HandlerList {
  @ApiProperty({ type: [HandlerResponse] })
  items: HandlerResponse[];
}
