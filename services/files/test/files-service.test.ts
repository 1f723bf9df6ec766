import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { baseConfigSchema, loadConfig, PG_POOL } from '@hivebase/platform';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import {
  createServiceApp,
  requireDatabaseUrl,
  SchemaRegistry,
  SettingsService,
  STORAGE_DRIVER,
  signRecordToken,
} from '@hivebase/runtime';
import { type AuthCollection, newRecordId, normalizeCollection, quoteIdent, randomString } from '@hivebase/schema';
import { recordFileKey, type StorageDriver } from '@hivebase/storage';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FilesModule } from '../src/files.module';

let database: TestDatabase;
let app: NestFastifyApplication;
let storageDir: string;
let pool: Pool;
const superuser = { id: '', token: '' };
const record = { id: newRecordId(), secret: 'secret_abcdefghij.txt', image: 'image_abcdefghij.png' };

/** An auth record stored straight into its table, with a token of `type` for it. */
async function authRecord(collectionName: string, email: string) {
  const collection = app.get(SchemaRegistry).find(collectionName) as AuthCollection;
  const id = newRecordId();
  const tokenKey = randomString(50);
  await pool.query(
    `INSERT INTO ${quoteIdent(collection.name)} (id, email, password, "tokenKey") VALUES ($1, $2, 'unused', $3)`,
    [id, email, tokenKey],
  );
  return { id, token: signRecordToken(collection, { id, tokenKey }, 'authToken') };
}

const get = (url: string, remoteAddress = '127.0.0.1', headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, remoteAddress, headers });

beforeAll(async () => {
  database = await createTestDatabase();
  storageDir = await mkdtemp(join(tmpdir(), 'hb-files-service-'));
  const config = requireDatabaseUrl(
    loadConfig(baseConfigSchema, { DATABASE_URL: database.url, LOG_LEVEL: 'silent', HB_STORAGE_DIR: storageDir }),
  );
  app = await createServiceApp('files-service-test', FilesModule, config);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  pool = app.get<Pool>(PG_POOL);
  Object.assign(superuser, await authRecord('_superusers', 'root@example.com'));

  const { collection } = normalizeCollection({
    name: 'docs',
    viewRule: '@request.auth.id != ""',
    fields: [
      { name: 'secret', type: 'file', maxSelect: 1, protected: true },
      { name: 'image', type: 'file', maxSelect: 1, thumbs: ['99999x99999', '0x0', '20x20'] },
    ],
  });
  await app.get(SchemaRegistry).apply(() => [{ before: null, after: collection }]);
  // Written as the collections service would: the row, then the stored bytes.
  await pool.query('INSERT INTO docs (id, secret, image) VALUES ($1, $2, $3)', [
    record.id,
    record.secret,
    record.image,
  ]);
  const storage = app.get<StorageDriver>(STORAGE_DRIVER);
  const png = await sharp({ create: { width: 60, height: 40, channels: 3, background: '#c00' } })
    .png()
    .toBuffer();
  await storage.put(recordFileKey(collection.id, record.id, record.secret), Readable.from([Buffer.from('top')]), {
    contentType: 'text/plain; charset=utf-8',
  });
  await storage.put(recordFileKey(collection.id, record.id, record.image), Readable.from([png]), {
    contentType: 'image/png',
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await rm(storageDir, { recursive: true, force: true });
});

describe('protected files and the superuser IP allow-list', () => {
  const fileToken = async (remoteAddress: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/files/token',
      headers: { authorization: superuser.token },
      remoteAddress,
    });
    return { status: response.statusCode, token: String(response.json<{ token?: string }>().token ?? '') };
  };

  it('serves a protected file to a superuser token only from an allowed address', async () => {
    const url = `/api/files/docs/${record.id}/${record.secret}`;
    const { token } = await fileToken('127.0.0.1');
    expect((await get(url)).statusCode).toBe(404);
    expect((await get(`${url}?token=${token}`)).statusCode).toBe(200);

    await app.get(SettingsService).update({ superuserIPs: ['10.1.2.3'] });
    try {
      // From elsewhere the token counts as none (PocketBase resets the auth): the view rule
      // wants an auth → 404.
      expect((await get(`${url}?token=${token}`)).statusCode).toBe(404);
      const allowed = await get(`${url}?token=${token}`, '10.1.2.3');
      expect(allowed.statusCode).toBe(200);
      expect(allowed.body).toBe('top');
      // No new file token for a superuser from elsewhere either.
      expect((await fileToken('127.0.0.1')).status).toBe(403);
      expect((await fileToken('10.1.2.3')).status).toBe(200);
    } finally {
      await app.get(SettingsService).update({ superuserIPs: [] });
    }
  });

  it('lets a user token through from any address (the list is for superusers)', async () => {
    const user = await authRecord('users', 'user@example.com');
    await app.get(SettingsService).update({ superuserIPs: ['10.1.2.3'] });
    try {
      const response = await app.inject({
        method: 'POST',
        url: '/api/files/token',
        headers: { authorization: user.token },
        remoteAddress: '127.0.0.1',
      });
      const { token } = response.json<{ token: string }>();
      const served = await get(`/api/files/docs/${record.id}/${record.secret}?token=${token}`);
      expect(served.statusCode).toBe(200);
    } finally {
      await app.get(SettingsService).update({ superuserIPs: [] });
    }
  });
});

describe('hostile thumb requests', () => {
  it.each([
    ['99999x99999 (listed)', '99999x99999'],
    ['0x0 (listed)', '0x0'],
    ['100000x1', '100000x1'],
    ['-1x5', '-1x5'],
    ['20x20x20', '20x20x20'],
    ['a NUL', '\u0000'],
    ['5000 characters', 'x'.repeat(5000)],
  ])('thumb=%s serves the original, never a 500', async (_label, thumb) => {
    const response = await get(`/api/files/docs/${record.id}/${record.image}?thumb=${encodeURIComponent(thumb)}`);
    expect(response.statusCode).toBe(200);
    expect((await sharp(response.rawPayload).metadata()).width).toBe(60);
  });

  it('makes a listed thumb size', async () => {
    const response = await get(`/api/files/docs/${record.id}/${record.image}?thumb=20x20`);
    expect(response.statusCode).toBe(200);
    expect(await sharp(response.rawPayload).metadata()).toMatchObject({ width: 20, height: 20, format: 'png' });
  });
});
