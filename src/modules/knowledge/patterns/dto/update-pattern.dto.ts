import { IntersectionType, PartialType } from '@nestjs/swagger';
import { VersionedUpdateDto } from '../../../../common/http/versioned-update.dto';
import { CreatePatternDto } from './create-pattern.dto';

/** `PATCH /patterns/:id`: a new trigger (still unique in the tenant) or new steps; the usage count moves only by use. */
export class UpdatePatternDto extends IntersectionType(PartialType(CreatePatternDto, { skipNullProperties: false }), VersionedUpdateDto) {}
