import type { TestApp, TestTenant } from './test-app';
import { waitFor } from './wait';

/** The members of a `GET /service-calls/:id` body that tests look at. */
export interface ServiceCallBody {
  id: string;
  callId: string;
  status: string;
  attempts: number;
  lastError: string | null;
  domainObjects: { type: string; id: string }[];
}

/** Polls `GET /service-calls/:id` as `tenant` until the record reaches `status`; returns its body. */
export function waitForServiceCall(t: TestApp, tenant: TestTenant, id: string, status: string): Promise<ServiceCallBody> {
  return waitFor(`service call ${id} to be ${status}`, async () => {
    const res = await t.http().get(`/api/v1/service-calls/${id}`).set(tenant.auth).expect(200);
    return res.body.status === status ? (res.body as ServiceCallBody) : undefined;
  });
}
