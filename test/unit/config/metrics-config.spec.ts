import { InvalidConfigError, loadConfig } from '../../../src/config';

describe('METRICS_AUTH and METRICS_TOKEN', () => {
  it('guard /metrics by default in production only, and either way when asked', () => {
    expect(loadConfig({}).metrics).toEqual({ auth: false, token: undefined });
    expect(loadConfig({ NODE_ENV: 'production' }).metrics.auth).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', METRICS_AUTH: 'false' }).metrics.auth).toBe(false);
    expect(loadConfig({ METRICS_AUTH: 'true', METRICS_TOKEN: 'a'.repeat(32) }).metrics).toEqual({ auth: true, token: 'a'.repeat(32) });
  });

  it('refuse a short token or a value that is not a boolean, at boot', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(InvalidConfigError);
    expect(() => loadConfig({ METRICS_AUTH: 'maybe' })).toThrow(/METRICS_AUTH/);
  });
});
