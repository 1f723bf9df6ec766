import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseIndex } from './index.parser';
import { indexToPostgres } from './index.translator';
import { POSTS_TABLE_DDL, postsCollection } from './testing/index-collections.fixture';
import { createScratchDatabase, type ScratchDatabase } from './testing/scratch-database';

// Real Postgres: the generated DDL must create the index it claims to, and enforce it.
let db: ScratchDatabase;
const collection = postsCollection();
const ddl = (sql: string) => indexToPostgres(parseIndex(sql), collection);

beforeAll(async () => {
  db = await createScratchDatabase();
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  await db.client.query('DROP TABLE IF EXISTS "posts"');
  await db.client.query(POSTS_TABLE_DDL);
});

let nextId = 0;
async function insert(values: Record<string, unknown>): Promise<void> {
  const row = { id: `r${nextId++}`, ...values };
  const columns = Object.keys(row).map((name) => `"${name}"`);
  const params = Object.keys(row).map((_, i) => `$${i + 1}`);
  await db.client.query(`INSERT INTO "posts" (${columns}) VALUES (${params})`, Object.values(row));
}

async function indexDefinition(name: string): Promise<string | undefined> {
  const { rows } = await db.client.query<{ indexdef: string }>(
    'SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexname = $2',
    ['posts', name],
  );
  return rows[0]?.indexdef;
}

describe('generated index DDL on Postgres', () => {
  it.each([
    'CREATE UNIQUE INDEX `idx_abc` ON `posts` (`title`)',
    'CREATE INDEX IF NOT EXISTS idx_x ON "posts" (`views` DESC, lower(`slug`))',
    "CREATE UNIQUE INDEX `idx_email` ON `posts` (`email`) WHERE `email` != ''",
    'CREATE UNIQUE INDEX u ON posts (title COLLATE NOCASE ASC, id)',
    'CREATE INDEX r ON posts (slug COLLATE RTRIM, upper(status))',
    "CREATE INDEX j ON posts (json_extract(meta, '$.a.b[0]') COLLATE NOCASE, json_extract(location, '$.lon'))",
    'CREATE INDEX tg ON posts (tags, published, meta, location)',
    "CREATE INDEX w ON posts (title) WHERE views > '10' AND published = 1 OR NOT published",
    "CREATE INDEX w2 ON posts (title) WHERE tags != '[]' AND tags = '[\"a\",\"b''c\"]' AND meta != '{\"a\": 1}'",
    "CREATE INDEX w3 ON posts (title) WHERE json_extract(meta, '$.n') > 3 AND json_extract(meta, '$.s') = 'x\\y'",
    "CREATE INDEX w4 ON posts (title) WHERE 'x' = lower(title) AND title = slug AND views AND meta IS NULL",
  ])('%s', async (sql) => {
    const name = parseIndex(sql).name;
    await db.client.query(ddl(sql));
    expect(await indexDefinition(name)).toBeDefined();
  });

  it('translates the documented shape', async () => {
    await db.client.query(
      ddl("CREATE UNIQUE INDEX `idx_email` ON `users` (`email` COLLATE NOCASE) WHERE `email` != ''"),
    );
    expect(await indexDefinition('idx_email')).toBe(
      "CREATE UNIQUE INDEX idx_email ON public.posts USING btree (lower(email)) WHERE (email <> ''::text)",
    );
  });

  it('enforces a unique index', async () => {
    await db.client.query(ddl('CREATE UNIQUE INDEX `idx_slug` ON `posts` (`slug`)'));
    await insert({ slug: 'hello' });
    await expect(insert({ slug: 'hello' })).rejects.toMatchObject({ code: '23505', constraint: 'idx_slug' });
    await insert({ slug: 'Hello' });
  });

  it('makes COLLATE NOCASE uniqueness case-insensitive', async () => {
    await db.client.query(ddl('CREATE UNIQUE INDEX `idx_title` ON `posts` (`title` COLLATE NOCASE)'));
    await insert({ title: 'Hello' });
    await expect(insert({ title: 'HELLO' })).rejects.toMatchObject({ code: '23505' });
  });

  it('enforces a partial unique index only where its condition holds', async () => {
    await db.client.query(ddl("CREATE UNIQUE INDEX `idx_email` ON `posts` (`email`) WHERE `email` != ''"));
    await insert({ email: '' });
    await insert({ email: '' });
    await insert({ email: 'a@example.com' });
    await expect(insert({ email: 'a@example.com' })).rejects.toMatchObject({ code: '23505' });
  });

  it('enforces a unique index on a multi-value field as a whole list', async () => {
    await db.client.query(ddl('CREATE UNIQUE INDEX `idx_tags` ON `posts` (`tags`)'));
    await insert({ tags: ['a', 'b'] });
    await insert({ tags: ['b', 'a'] });
    await expect(insert({ tags: ['a', 'b'] })).rejects.toMatchObject({ code: '23505' });
  });

  it('uses a partial index with a typed WHERE as Postgres would', async () => {
    await db.client.query(
      ddl('CREATE UNIQUE INDEX `idx_pub` ON `posts` (`title`) WHERE published = 1 AND views >= 10'),
    );
    await insert({ title: 't', published: true, views: 10 });
    await insert({ title: 't', published: false, views: 10 });
    await insert({ title: 't', published: true, views: 9 });
    await expect(insert({ title: 't', published: true, views: 11 })).rejects.toMatchObject({ code: '23505' });
  });

  it('keeps a hostile quoted name as one index name and nothing else', async () => {
    const sql = 'CREATE INDEX "x"" ON posts (a); DROP TABLE posts; --" ON posts (title)';
    await db.client.query(ddl(sql));
    expect(await indexDefinition('x" ON posts (a); DROP TABLE posts; --')).toBeDefined();
    const { rows } = await db.client.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'posts'");
    expect(rows[0].n).toBe(1);
  });

  it('keeps a hostile literal as data', async () => {
    await db.client.query(ddl("CREATE UNIQUE INDEX q ON posts (slug) WHERE title != '''); DROP TABLE posts; --'"));
    await insert({ slug: 's', title: "'); DROP TABLE posts; --" });
    await insert({ slug: 's', title: "'); DROP TABLE posts; --" });
    await insert({ slug: 's', title: 'other' });
    await expect(insert({ slug: 's', title: 'another' })).rejects.toMatchObject({ code: '23505' });
  });
});
