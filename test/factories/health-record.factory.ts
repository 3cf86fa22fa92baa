import { CreateHealthRecordDto } from '../../src/modules/health/dto/create-health-record.dto';

/** A valid `POST /health-records` body; pass overrides for what the test is about. */
export function makeHealthRecord(overrides: Partial<CreateHealthRecordDto> = {}): CreateHealthRecordDto {
  return {
    component: 'vector-store',
    status: 'ok',
    message: 'answered the probe',
    responseTimeMs: 42,
    details: { region: 'eu-west-1' },
    ...overrides,
  };
}
