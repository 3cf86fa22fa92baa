import { ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_VERSION } from '../../../common/http/expected-version.decorator';
import { CreateAgentDto } from './create-agent.dto';

// A null is validated like any value (and refused where the column cannot hold it); description may be cleared with null.
export class UpdateAgentDto extends PartialType(CreateAgentDto, { skipNullProperties: false }) {
  @ApiPropertyOptional({ description: 'The version you read; used when no If-Match header is sent', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version?: number;
}
