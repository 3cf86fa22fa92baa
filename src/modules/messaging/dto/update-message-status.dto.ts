import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
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
}
