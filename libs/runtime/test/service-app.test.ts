import { baseConfigSchema, ConfigError, loadConfig } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp, requireDatabaseUrl } from '../src/http/start-service';

@Controller('api/feature')
class FeatureController {
  @Get()
  hello() {
    return { ok: true };
  }
}

@Module({ controllers: [FeatureController] })
class FeatureModule {}

describe('a service app (core + feature module) on a real database', () => {
  let database: TestDatabase;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = requireDatabaseUrl(
      loadConfig(baseConfigSchema, { DATABASE_URL: database.url, LOG_LEVEL: 'silent' }),
    );
    app = await createServiceApp('test', FeatureModule, config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('serves PocketBase health after checking its database', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: 'API is healthy.', code: 200, data: {} });
  });

  it('answers HEAD /api/health without a body', async () => {
    const response = await app.inject({ method: 'HEAD', url: '/api/health' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
  });

  it('serves the feature module next to the core', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/feature' })).json()).toEqual({ ok: true });
  });

  it('reports 503 naming the database once it is gone', async () => {
    await database.drop();
    const response = await app.inject({ method: 'GET', url: '/api/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 503, message: 'Unhealthy: database.' });
    expect(Object.keys(response.json().data)).toEqual(['database']);
  });
});

describe('requireDatabaseUrl', () => {
  it('names DATABASE_URL when a service has none', () => {
    expect(() => requireDatabaseUrl(loadConfig(baseConfigSchema, {}))).toThrow(ConfigError);
    expect(() => requireDatabaseUrl(loadConfig(baseConfigSchema, {}))).toThrow(/DATABASE_URL: required/);
  });
});
