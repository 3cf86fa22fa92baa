import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsIsoTimestamp } from '../../../common/http/iso-timestamp';
import { VersionedUpdateDto } from '../../../common/http/versioned-update.dto';
import { MESSAGE_STATUSES, MessageStatus } from '../message.entity';

export class UpdateMessageStatusDto extends VersionedUpdateDto {
  @ApiProperty({
    enum: MESSAGE_STATUSES,
    description:
      'The new status. Allowed: sent → received | failed, received → processed | failed; processed and failed are final ' +
      '(anything else is 422). received sets receivedAt; processed and failed set processedAt.',
  })
  @IsIn(MESSAGE_STATUSES)
  status: MessageStatus;

  @ApiPropertyOptional({
    example: '2026-01-31T12:00:00.120Z',
    description: 'When the agent received the message, with status received; the time of the request otherwise. Not before sentAt, not in the future.',
  })
  @IsOptional()
  @IsIsoTimestamp()
  receivedAt?: string;

  @ApiPropertyOptional({
    example: '2026-01-31T12:00:01.480Z',
    description:
      'When the agent finished handling the message, with status processed or failed; the time of the request otherwise. ' +
      'Not before receivedAt (or sentAt), not in the future.',
  })
  @IsOptional()
  @IsIsoTimestamp()
  processedAt?: string;
}
