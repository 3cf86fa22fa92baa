import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, ValidateIf } from 'class-validator';
import { VersionedUpdateDto } from '../../../common/http/versioned-update.dto';
import { MAX_SUMMARY } from './import-integrated-object.dto';

export class UpdateSummaryDto extends VersionedUpdateDto {
  @ApiProperty({ type: String, nullable: true, maxLength: MAX_SUMMARY, description: 'The new summary, or null to clear it' })
  // Required: a string, or an explicit null to clear it (an absent summary is refused).
  @ValidateIf((_object: object, value: unknown) => value !== null)
  @IsString()
  @MaxLength(MAX_SUMMARY)
  summary: string | null;
}
