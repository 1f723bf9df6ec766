import { describe, expect, it } from 'vitest';
import { distributedEnvironment } from './launch-distributed';

describe('distributedEnvironment', () => {
  const environments = distributedEnvironment({
    databaseUrl: 'postgres://u@127.0.0.1:5432/hb',
    redisUrl: 'redis://127.0.0.1:6379',
    gatewayPort: 7000,
    env: { PATH: '/bin' },
  });

  it('puts the gateway on the given port and the services on the next four', () => {
    expect(environments.gateway.HB_HTTP).toBe('127.0.0.1:7000');
    expect(environments.collections.HB_HTTP).toBe('127.0.0.1:7001');
    expect(environments.realtime.HB_HTTP).toBe('127.0.0.1:7004');
  });

  it('points the gateway at each service', () => {
    expect(environments.gateway).toMatchObject({
      HB_UPSTREAM_COLLECTIONS: 'http://127.0.0.1:7001',
      HB_UPSTREAM_AUTH: 'http://127.0.0.1:7002',
      HB_UPSTREAM_FILES: 'http://127.0.0.1:7003',
      HB_UPSTREAM_REALTIME: 'http://127.0.0.1:7004',
    });
  });

  it('runs every process in distributed mode against the same database and Redis', () => {
    for (const env of Object.values(environments)) {
      expect(env).toMatchObject({
        HB_MODE: 'distributed',
        DATABASE_URL: 'postgres://u@127.0.0.1:5432/hb',
        PATH: '/bin',
      });
      expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    }
  });
});
