import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsTextKey, TEXT_KEY_RULE } from '../../../common/http/text-key';
import { IsOptionalNotNull, JsonAsSent } from '../../../common/http/validation';
import { BulkItems } from '../../../common/http/collections';

export const MAX_BULK_IMPORTS = 1000;
export const MAX_PLATFORM = 100;
export const MAX_ORIGINAL_ID = 500;
export const MAX_OBJECT_TYPE = 100;
export const MAX_COMPANY_ID = 200;
export const MAX_INTEGRATED_CONTENT = 500_000;
export const MAX_SUMMARY = 20_000;

/** An object as a platform has it now. The same (platform, companyId, originalId) again updates the stored object. */
export class ImportIntegratedObjectDto {
  @ApiProperty({ example: 'zendesk', maxLength: MAX_PLATFORM, description: `The platform the object comes from; part of the key, ${TEXT_KEY_RULE}` })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_PLATFORM)
  @IsTextKey()
  platform: string;

  @ApiProperty({ example: '48213', maxLength: MAX_ORIGINAL_ID, description: `The object's id on its platform; part of the key, ${TEXT_KEY_RULE}` })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_ORIGINAL_ID)
  @IsTextKey()
  originalId: string;

  @ApiProperty({ example: 'ticket', maxLength: MAX_OBJECT_TYPE })
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_OBJECT_TYPE)
  objectType: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'acme-emea',
    maxLength: MAX_COMPANY_ID,
    description: `A company within your tenant, part of the key (${TEXT_KEY_RULE}): without one, the object is the one of no company`,
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_COMPANY_ID)
  @IsTextKey()
  companyId?: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { id: 48213, subject: 'Login fails', status: 'open' },
    description: 'The object as received',
  })
  @IsObject()
  @JsonAsSent()
  originalData: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_INTEGRATED_CONTENT, description: 'The content prepared for agents' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_INTEGRATED_CONTENT)
  integratedContent?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { syncedBy: 'nightly' } })
  @IsOptionalNotNull()
  @IsObject()
  @JsonAsSent()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: MAX_SUMMARY, description: 'Kept as it is on a re-import that does not send it' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_SUMMARY)
  summary?: string | null;
}

export class BulkImportIntegratedObjectsDto {
  @BulkItems(ImportIntegratedObjectDto, MAX_BULK_IMPORTS)
  items: ImportIntegratedObjectDto[];
}
