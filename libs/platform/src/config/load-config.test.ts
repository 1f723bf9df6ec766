import { describe, expect, it } from 'vitest';
import { baseConfigSchema, gatewayConfigSchema } from './config.schema';
import { ConfigError, loadConfig } from './load-config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(gatewayConfigSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills PocketBase-like defaults from an empty environment', () => {
    const config = loadConfig(baseConfigSchema, {});
    expect(config).toMatchObject({
      mode: 'standalone',
      http: { host: '127.0.0.1', port: 8090 },
      dataDir: './hb_data',
      bodyLimit: 32 * 1024 * 1024,
      corsOrigins: '*',
      migrateOnBoot: true,
    });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('reads and converts variables', () => {
    const config = loadConfig(gatewayConfigSchema, {
      HB_MODE: 'distributed',
      HB_HTTP: '0.0.0.0:9000',
      DATABASE_URL: 'postgres://u@db:5432/x',
      HB_BODY_LIMIT: '1024',
      HB_MIGRATE_ON_BOOT: 'false',
      HB_UPSTREAM_AUTH: 'http://auth:8092',
    });
    expect(config.mode).toBe('distributed');
    expect(config.http).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(config.bodyLimit).toBe(1024);
    expect(config.migrateOnBoot).toBe(false);
    expect(config.upstreamAuth).toBe('http://auth:8092');
  });

  it('limits failed sign-ins by default, and reads the limits from AUTH_* variables', () => {
    expect(loadConfig(baseConfigSchema, {})).toMatchObject({
      authMaxFailedPerIdentity: 5,
      authMaxFailedPerIp: 20,
      authFailedWindowSeconds: 900,
      authBlockSeconds: 900,
    });
    const config = loadConfig(baseConfigSchema, {
      AUTH_MAX_FAILED_PER_IDENTITY: '3',
      AUTH_MAX_FAILED_PER_IP: '50',
      AUTH_FAILED_WINDOW_SECONDS: '60',
      AUTH_BLOCK_SECONDS: '3600',
    });
    expect(config).toMatchObject({
      authMaxFailedPerIdentity: 3,
      authMaxFailedPerIp: 50,
      authFailedWindowSeconds: 60,
      authBlockSeconds: 3600,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig(baseConfigSchema, { HB_HTTP: '', DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it.each([
    [{ HB_HTTP: 'localhost' }, /^HB_HTTP="localhost": must be HOST:PORT/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /^DATABASE_URL="mysql:\/\/x@y\/z": must be a postgres or postgresql URL/],
    [{ REDIS_URL: 'not a url' }, /^REDIS_URL="not a url"/],
    [{ HB_MODE: 'cluster' }, /^HB_MODE="cluster"/],
    [{ HB_BODY_LIMIT: '-5' }, /^HB_BODY_LIMIT="-5"/],
    [{ HB_BODY_LIMIT: 'lots' }, /^HB_BODY_LIMIT="lots"/],
    [{ HB_MIGRATE_ON_BOOT: 'perhaps' }, /^HB_MIGRATE_ON_BOOT="perhaps"/],
    [{ HB_UPSTREAM_FILES: 'files:8093' }, /^HB_UPSTREAM_FILES="files:8093"/],
    [{ AUTH_MAX_FAILED_PER_IDENTITY: '0' }, /^AUTH_MAX_FAILED_PER_IDENTITY="0"/],
    [{ AUTH_BLOCK_SECONDS: 'forever' }, /^AUTH_BLOCK_SECONDS="forever"/],
  ])('names the bad variable in %j', (env, expected) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('lists every problem at once, in a readable message', () => {
    try {
      loadConfig(baseConfigSchema, { HB_HTTP: 'x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/Invalid configuration:\n {2}- HB_HTTP="x".*\n {2}- LOG_LEVEL="loud"/);
    }
  });
});
