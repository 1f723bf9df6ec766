import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import pg from 'pg';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDistributed, bootStandalone, CLI, type RunningShape, start } from './support/boot-shape';

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct-horse-battery';

async function createSuperuser(databaseUrl: string): Promise<void> {
  const cli = start('superuser', [CLI, 'superuser', 'upsert', EMAIL, PASSWORD], {
    ...process.env,
    DATABASE_URL: databaseUrl,
  });
  const code = await new Promise((done) => cli.child.once('exit', done));
  if (code !== 0) throw new Error(`superuser upsert failed:\n${cli.output()}`);
}

const shapes = {
  standalone: (databaseUrl: string) => bootStandalone({ databaseUrl }),
  distributed: (databaseUrl: string) => bootDistributed({ databaseUrl }),
};

describe.each(Object.keys(shapes) as (keyof typeof shapes)[])('collections through the SDK (%s)', (shape) => {
  let database: TestDatabase;
  let running: RunningShape;
  let pb: PocketBase;

  beforeAll(async () => {
    database = await createTestDatabase();
    await createSuperuser(database.url);
    running = await shapes[shape](database.url);
    pb = new PocketBase(running.baseUrl);
    await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
  });
  afterAll(async () => {
    await running?.stop();
    await database?.drop();
  });

  it('signs the superuser in as PocketBase does', () => {
    expect(pb.authStore.isValid).toBe(true);
    expect(pb.authStore.isSuperuser).toBe(true);
    expect(pb.authStore.record).toMatchObject({ email: EMAIL, collectionName: '_superusers' });
  });

  it('rejects a wrong password with PocketBase’s 400', async () => {
    const other = new PocketBase(running.baseUrl);
    const error = await other
      .collection('_superusers')
      .authWithPassword(EMAIL, 'wrong-password')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientResponseError);
    expect((error as ClientResponseError).response).toEqual({
      data: {},
      message: 'Failed to authenticate.',
      status: 400,
    });
  });

  it('creates, updates, lists, imports and deletes collections', async () => {
    const created = await pb.collections.create({
      name: 'notes',
      type: 'base',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'stars', type: 'number' },
      ],
    });
    expect(created.fields.map((field) => field.name)).toEqual(['id', 'title', 'stars']);

    const updated = await pb.collections.update('notes', {
      fields: created.fields
        .filter((field) => field.name !== 'stars')
        .map((field) => (field.name === 'title' ? { ...field, name: 'heading' } : field)),
    });
    expect(updated.fields.map((field) => field.name)).toEqual(['id', 'heading']);

    const list = await pb.collections.getList(1, 50);
    expect(list.items.map((item) => item.name)).toContain('notes');

    // The SDK types import payloads as full collections; a partial one is what users send.
    const imported = { name: 'imported', type: 'base', fields: [{ name: 'flag', type: 'bool' }] };
    await pb.collections.import([imported] as unknown as Parameters<typeof pb.collections.import>[0], false);
    expect((await pb.collections.getOne('imported')).fields.map((field) => field.name)).toEqual(['id', 'flag']);

    await pb.collections.delete('notes');
    await pb.collections.delete('imported');
    const error = await pb.collections.getOne('notes').catch((e: unknown) => e);
    expect((error as ClientResponseError).status).toBe(404);
  });

  it('handles every field type, a name swap, a unique index and a view', async () => {
    const fields = [
      { name: 'title', type: 'text' },
      { name: 'summary', type: 'text' },
      { name: 'views', type: 'number' },
      { name: 'published', type: 'bool' },
      { name: 'contact', type: 'email' },
      { name: 'homepage', type: 'url' },
      { name: 'body', type: 'editor' },
      { name: 'publishedAt', type: 'date' },
      { name: 'created', type: 'autodate', onCreate: true },
      { name: 'status', type: 'select', values: ['draft', 'live'], maxSelect: 1 },
      { name: 'cover', type: 'file', maxSelect: 1 },
      { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      { name: 'meta', type: 'json' },
      { name: 'secret', type: 'password' },
      { name: 'location', type: 'geoPoint' },
    ];
    const posts = await pb.collections.create({ name: 'articles', type: 'base', fields });
    expect(posts.fields.map((field) => field.type)).toEqual(['text', ...fields.map((field) => field.type)]);

    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    try {
      await db.query(`INSERT INTO articles (id, title, summary, views) VALUES ('a00000000000001', 'T', 'S', 3)`);
      const swapped = await pb.collections.update('articles', {
        fields: posts.fields.map((field) =>
          field.name === 'title'
            ? { ...field, name: 'summary' }
            : field.name === 'summary'
              ? { ...field, name: 'title' }
              : field,
        ),
        indexes: ['CREATE UNIQUE INDEX `idx_articles_views` ON `articles` (`views`)'],
      });
      expect(swapped.indexes).toHaveLength(1);
      expect((await db.query('SELECT title, summary, views FROM articles')).rows).toEqual([
        { title: 'S', summary: 'T', views: 3 },
      ]);
      await expect(db.query(`INSERT INTO articles (id, views) VALUES ('a00000000000002', 3)`)).rejects.toThrow(
        /duplicate key/,
      );

      const view = await pb.collections.create({
        name: 'article_views',
        type: 'view',
        viewQuery: 'SELECT id, views FROM articles',
      });
      expect(view.fields.map((field) => [field.name, field.type])).toEqual([
        ['id', 'text'],
        ['views', 'number'],
      ]);
    } finally {
      await db.end();
    }
    await pb.collections.delete('article_views');
    await pb.collections.delete('articles');
  });

  it('answers a guest with 401', async () => {
    const error = await new PocketBase(running.baseUrl).collections.getList().catch((e: unknown) => e);
    expect((error as ClientResponseError).status).toBe(401);
  });
});

describe('a schema change in the distributed shape', () => {
  let database: TestDatabase;
  let running: RunningShape;

  beforeAll(async () => {
    database = await createTestDatabase();
    await createSuperuser(database.url);
    running = await bootDistributed({ databaseUrl: database.url });
  });
  afterAll(async () => {
    await running?.stop();
    await database?.drop();
  });

  it('reaches the auth service within a second', async () => {
    const pb = new PocketBase(running.baseUrl);
    await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
    await pb.collections.create({ name: 'members', type: 'auth' });
    const changedAt = Date.now();
    // The auth service knows `members` once sign-in answers "Failed to authenticate." instead of 404.
    let status = 0;
    while (Date.now() - changedAt < 1_000) {
      const error = await new PocketBase(running.baseUrl)
        .collection('members')
        .authWithPassword('nobody@example.com', 'whatever-password')
        .catch((e: unknown) => e);
      status = (error as ClientResponseError).status;
      if (status === 400) break;
    }
    expect(status).toBe(400);
  });
});

describe('hivebase superuser upsert with bad input', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  it.each([
    ['not-an-email', 'long-enough-password', 'is not a valid email address'],
    ['ok@example.com', 'short', 'the password must be at least 8 characters'],
  ])('refuses %s / %s with a clear message and exit code 1', async (email, password, message) => {
    const cli = start('superuser', [CLI, 'superuser', 'upsert', email, password], {
      ...process.env,
      DATABASE_URL: database.url,
    });
    expect(await new Promise((done) => cli.child.once('exit', done))).toBe(1);
    expect(cli.output()).toContain(message);
    expect(cli.output()).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});
