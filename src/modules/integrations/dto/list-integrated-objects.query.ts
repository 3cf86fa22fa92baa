import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/http/page-query.dto';
import { IsTextKey } from '../../../common/http/text-key';
import { MAX_COMPANY_ID, MAX_OBJECT_TYPE, MAX_PLATFORM } from './import-integrated-object.dto';

export class ListIntegratedObjectsQuery extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: MAX_COMPANY_ID, description: 'Only objects of this company' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_COMPANY_ID)
  @IsTextKey()
  companyId?: string;

  @ApiPropertyOptional({ maxLength: MAX_OBJECT_TYPE, description: 'Only objects of this type' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_OBJECT_TYPE)
  objectType?: string;

  @ApiPropertyOptional({ maxLength: MAX_PLATFORM, description: 'Only objects from this platform' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_PLATFORM)
  @IsTextKey()
  platform?: string;
}
