import { baseConfigSchema, loadConfig } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { normalizeCollection } from '@hivebase/schema';
import { Controller, Get, Module, NotFoundException, Param } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceApp, requireDatabaseUrl } from '../src/http/start-service';
import { SchemaRegistry } from '../src/schema/schema-registry';
import { SettingsService } from '../src/settings/settings.service';

@Controller('api/probe')
class ProbeController {
  constructor(
    private readonly schema: SchemaRegistry,
    private readonly settings: SettingsService,
  ) {}

  @Get('collection/:name')
  collection(@Param('name') name: string) {
    const found = this.schema.find(name);
    if (!found) throw new NotFoundException();
    return { fields: found.fields.map((field) => field.name) };
  }

  @Get('app-name')
  appName() {
    return { appName: this.settings.get().meta.appName };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

/**
 * Two replicas on one database whose buses do not reach each other (separate Redis prefixes):
 * only the per-request version check can make the second see what the first just changed.
 */
describe('read-your-writes of the schema and settings across replicas', () => {
  let database: TestDatabase;
  let writer: NestFastifyApplication;
  let reader: NestFastifyApplication;

  async function replica(prefix: string): Promise<NestFastifyApplication> {
    const config = requireDatabaseUrl(
      loadConfig(baseConfigSchema, {
        HB_MODE: 'distributed',
        DATABASE_URL: database.url,
        LOG_LEVEL: 'silent',
        HB_REDIS_PREFIX: `${prefix}-${process.pid}-${Date.now()}`,
      }),
    );
    const app = await createServiceApp('test', ProbeModule, config);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return app;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    writer = await replica('writer');
    reader = await replica('reader');
  });
  afterAll(async () => {
    await writer?.close();
    await reader?.close();
    await database?.drop();
  });

  it('finds a collection created on another replica at the next request', async () => {
    for (let i = 0; i < 5; i++) {
      const { collection } = normalizeCollection({ name: `fresh_${i}`, fields: [{ name: 'title', type: 'text' }] });
      await writer.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
      const response = await reader.inject({ method: 'GET', url: `/api/probe/collection/fresh_${i}` });
      expect(response.statusCode).toBe(200);
    }
  });

  it('sees a changed collection, not its cached old definition', async () => {
    const registry = writer.get(SchemaRegistry);
    const before = registry.find('fresh_0');
    const title = before?.fields.find((field) => field.name === 'title');
    if (!before || !title) throw new Error('fresh_0 missing');
    const added = { ...title, id: 'f_added', name: 'added' };
    await registry.apply(() => [{ before, after: { ...before, fields: [...before.fields, added] } }]);
    const response = await reader.inject({ method: 'GET', url: '/api/probe/collection/fresh_0' });
    expect(response.json().fields).toContain('added');
  });

  it('sees settings saved on another replica at the next request', async () => {
    await writer.get(SettingsService).update({ meta: { appName: 'Renamed elsewhere' } });
    const response = await reader.inject({ method: 'GET', url: '/api/probe/app-name' });
    expect(response.json()).toEqual({ appName: 'Renamed elsewhere' });
  });
});
