/** The security scheme of the tenant routes: an API key as a bearer token. */
export const API_KEY_SECURITY = 'api-key';

/** The security scheme of the Prometheus scrape (`/metrics`): a token of its own, not a tenant key. */
export const METRICS_SECURITY = 'metrics-token';
