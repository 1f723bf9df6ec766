import { describe, expect, it } from 'vitest';
import { distributedEnvironment, distributedProcesses } from './launch-distributed';

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

  describe('with --replicas 2', () => {
    const processes = distributedProcesses({
      databaseUrl: 'postgres://u@127.0.0.1:5432/hb',
      redisUrl: 'redis://127.0.0.1:6379',
      gatewayPort: 7000,
      replicas: 2,
      env: { PATH: '/bin' },
    });
    const byName = Object.fromEntries(processes.map((process) => [process.name, process]));

    it('runs two processes of every service and one gateway', () => {
      expect(processes.map((process) => process.name)).toEqual([
        'gateway',
        'collections-1',
        'collections-2',
        'auth-1',
        'auth-2',
        'files-1',
        'files-2',
        'realtime-1',
        'realtime-2',
      ]);
      expect(byName['collections-2'].service).toBe('collections');
    });

    it('keeps the one-replica ports for the first replicas and puts the second ones after them', () => {
      expect(byName['collections-1'].env.HB_HTTP).toBe('127.0.0.1:7001');
      expect(byName['realtime-1'].env.HB_HTTP).toBe('127.0.0.1:7004');
      expect(byName['collections-2'].env.HB_HTTP).toBe('127.0.0.1:7005');
      expect(byName['realtime-2'].env.HB_HTTP).toBe('127.0.0.1:7008');
    });

    it('points the gateway at every replica', () => {
      expect(byName.gateway.env).toMatchObject({
        HB_HTTP: '127.0.0.1:7000',
        HB_UPSTREAM_COLLECTIONS: 'http://127.0.0.1:7001,http://127.0.0.1:7005',
        HB_UPSTREAM_REALTIME: 'http://127.0.0.1:7004,http://127.0.0.1:7008',
      });
    });
  });
});
