import { apiKeyInvalidationChannel } from '../../../src/common/auth/api-key-invalidations';
import { deploymentChannel } from '../../../src/redis/deployment-channel';

describe('deployment channels', () => {
  it('differ between deployments that share a Redis server through different dbs or prefixes', () => {
    const names = new Set([
      deploymentChannel({ url: 'redis://127.0.0.1:6379', queuePrefix: 'agent-ledger' }, 'events:committed'),
      deploymentChannel({ url: 'redis://127.0.0.1:6379/0', queuePrefix: 'agent-ledger' }, 'events:committed'),
      deploymentChannel({ url: 'redis://127.0.0.1:6379/3', queuePrefix: 'agent-ledger' }, 'events:committed'),
      deploymentChannel({ url: 'redis://127.0.0.1:6379/3', queuePrefix: 'staging' }, 'events:committed'),
    ]);
    // Pub/sub ignores the db: without it in the name, db 0 and db 3 would hear each other.
    expect([...names]).toEqual(['agent-ledger:db0:events:committed', 'agent-ledger:db3:events:committed', 'staging:db3:events:committed']);
  });

  it('carry the key-revocation announcements too', () => {
    expect(apiKeyInvalidationChannel({ url: 'redis://10.0.0.1:6379/7', queuePrefix: 'prod', defaulted: false, serverSearchPath: '' })).toBe(
      'prod:db7:api-keys:invalidated',
    );
  });
});
