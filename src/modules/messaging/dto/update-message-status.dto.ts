import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { MAX_VERSION } from '../../../common/http/expected-version.decorator';
import { MESSAGE_STATUSES, MessageStatus } from '../message.entity';

export class UpdateMessageStatusDto {
  @ApiProperty({
    enum: MESSAGE_STATUSES,
    description:
      'The new status. Allowed: sent → received | failed, received → processed | failed; processed and failed are final ' +
      '(anything else is 422). received sets receivedAt; processed and failed set processedAt.',
  })
  @IsIn(MESSAGE_STATUSES)
  status: MessageStatus;

  @ApiPropertyOptional({ description: 'The version you read; used when no If-Match header is sent', minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_VERSION)
  version?: number;
}
