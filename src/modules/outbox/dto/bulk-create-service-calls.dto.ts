import { CreateServiceCallDto } from './create-service-call.dto';
import { BulkItems } from '../../../common/http/collections';

/** The most results one `POST /service-calls/bulk` takes, stored in one statement. */
export const MAX_BULK_SERVICE_CALLS = 1000;

export class BulkCreateServiceCallsDto {
  @BulkItems(CreateServiceCallDto, MAX_BULK_SERVICE_CALLS)
  items: CreateServiceCallDto[];
}
