import { randomBytes } from 'node:crypto';
import { LOCAL_POSTGRES_URL, withDatabase } from '@hivebase/platform/testing';
import * as bcrypt from 'bcrypt';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { CLI, start } from '../../e2e/src/support/boot-shape';

export const ROOT = { email: 'bench-root@example.com', password: 'bench-root-password' };
export const OWNER = { email: 'bench-owner@example.com', password: 'bench-owner-password' };
export const USERS = 1_000;
export const POSTS = 100_000;

const OWNER_RULE = 'owner = @request.auth.id';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function onAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: LOCAL_POSTGRES_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** An empty database of its own (Hivebase migrates it on first use); `drop()` removes it. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `hb_bench_${randomBytes(5).toString('hex')}`;
  await onAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: withDatabase(LOCAL_POSTGRES_URL, name),
    drop: () => onAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(),
  };
}

/** `hivebase superuser upsert` through the built CLI, as an operator would. */
export async function upsertSuperuser(databaseUrl: string): Promise<void> {
  const cli = start('superuser', [CLI, 'superuser', 'upsert', ROOT.email, ROOT.password], {
    ...process.env,
    DATABASE_URL: databaseUrl,
  });
  const code = await new Promise((done) => cli.child.once('exit', done));
  if (code !== 0) throw new Error(`superuser upsert exited with ${String(code)}:\n${cli.output()}`);
}

/** The benchmark's owner (a real sign-up) and the `posts` collection, through the SDK. */
export async function createSchema(baseUrl: string): Promise<string> {
  const root = new PocketBase(baseUrl);
  await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
  const owner = await new PocketBase(baseUrl).collection('users').create({
    email: OWNER.email,
    password: OWNER.password,
    passwordConfirm: OWNER.password,
  });
  await root.collections.create({
    name: 'posts',
    listRule: OWNER_RULE,
    viewRule: OWNER_RULE,
    createRule: OWNER_RULE,
    updateRule: OWNER_RULE,
    deleteRule: OWNER_RULE,
    fields: [
      { name: 'title', type: 'text', required: true, max: 200 },
      { name: 'body', type: 'text', max: 5000 },
      { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1, required: true },
      { name: 'views', type: 'number' },
      { name: 'score', type: 'number' },
      { name: 'published', type: 'date' },
      { name: 'created', type: 'autodate', onCreate: true },
      { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
    ],
    indexes: ['CREATE INDEX `idx_posts_owner` ON `posts` (`owner`)'],
  });
  return owner.id;
}

/** PocketBase's `YYYY-MM-DD HH:MM:SS.sssZ` text for a SQL timestamp expression. */
const pbDate = (timestamp: string) => `to_char(${timestamp}, 'YYYY-MM-DD HH24:MI:SS.MS') || 'Z'`;

/** The email of the `n`th user {@link insertUsers} adds (1-based). */
export const seededUserEmail = (n: number) => `user${n}@example.com`;

/**
 * `count` users straight in SQL, `user1@example.com` … (see {@link seededUserEmail}), all with the
 * stored `passwordHash`, each with its own id and token key.
 */
export async function insertUsers(client: pg.Client, count: number, passwordHash: string): Promise<void> {
  await client.query(
    `INSERT INTO users (id, email, password, "tokenKey", created, updated)
     SELECT substr(md5('user' || g), 1, 15), 'user' || g || '@example.com', $1, md5('key' || g) || md5('k2' || g),
            ${pbDate("timestamp '2025-01-01' + g * interval '1 minute'")},
            ${pbDate("timestamp '2025-01-01' + g * interval '1 minute'")}
     FROM generate_series(1, ${count}) g`,
    [passwordHash],
  );
}

/**
 * 999 more users and 100 000 posts straight in SQL, the owners spread evenly over all 1000 users
 * (about 100 posts each). A post is about 600 bytes: a 60-character title, a 400-character body,
 * two numbers and three dates.
 */
export async function seed(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await insertUsers(client, USERS - 1, await bcrypt.hash('seeded-user-password', 4));
    await client.query(
      `WITH owners AS (SELECT array_agg(id ORDER BY id) AS ids FROM users)
       INSERT INTO posts (id, title, body, owner, views, score, published, created, updated)
       SELECT substr(md5('post' || g), 1, 15),
              'Post number ' || g || ': notes on the load of a records benchmark',
              substr(repeat('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. ', 8), 1 + g % 40, 400),
              owners.ids[1 + g % ${USERS}],
              g % 5000,
              (g % 1000) / 10.0,
              ${pbDate("timestamp '2025-01-01' + (g % 365) * interval '1 day'")},
              ${pbDate("timestamp '2025-01-01' + g * interval '5 minutes'")},
              ${pbDate("timestamp '2025-01-01' + g * interval '5 minutes'")}
       FROM generate_series(1, ${POSTS}) g, owners`,
    );
    await client.query('ANALYZE users');
    await client.query('ANALYZE posts');
  } finally {
    await client.end();
  }
}

/** Ids of the owner's posts (the ones the owner rule lets them read and update). */
export async function ownedPostIds(databaseUrl: string, ownerId: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>('SELECT id FROM posts WHERE owner = $1', [ownerId]);
    return rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}

/** Average stored row size of `posts`, to check the seed is as large as it claims. */
export async function averageRowBytes(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(
      'SELECT avg(pg_column_size(posts.*))::int AS bytes FROM posts',
    );
    return Number(rows[0]?.bytes ?? 0);
  } finally {
    await client.end();
  }
}
