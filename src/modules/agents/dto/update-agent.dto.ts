import { IntersectionType, PartialType } from '@nestjs/swagger';
import { VersionedUpdateDto } from '../../../common/http/versioned-update.dto';
import { CreateAgentDto } from './create-agent.dto';

// A null is validated like any value (and refused where the column cannot hold it); description may be cleared with null.
export class UpdateAgentDto extends IntersectionType(PartialType(CreateAgentDto, { skipNullProperties: false }), VersionedUpdateDto) {}
