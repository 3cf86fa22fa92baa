import { IntersectionType, PartialType } from '@nestjs/swagger';
import { VersionedUpdateDto } from '../../../../common/http/versioned-update.dto';
import { CreateInsightDto } from './create-insight.dto';

/** `PATCH /insights/:id`: any of the fields of an insight; a null is refused like any invalid value. */
export class UpdateInsightDto extends IntersectionType(PartialType(CreateInsightDto, { skipNullProperties: false }), VersionedUpdateDto) {}
