import { randomInt } from 'node:crypto';
import { newRecordId } from '@hivebase/schema';
import type pg from 'pg';
import type { HttpRequest } from './measure';

export interface ScenarioContext {
  ownerId: string;
  /** The owner's posts: the ones the rules let them view and update. */
  postIds: string[];
}

/**
 * One load scenario: the HTTP requests each connection cycles through, and the SQL the records
 * engine issues for one such request, run directly (the rule as a plain WHERE; no auth lookup).
 */
export interface Scenario {
  name: string;
  connections: number;
  http(context: ScenarioContext): HttpRequest[];
  direct(context: ScenarioContext): (pool: pg.Pool, call: number) => Promise<void>;
}

const RECORDS = '/api/collections/posts/records';
const pick = (ids: string[]) => ids[randomInt(ids.length)] as string;
const now = () => new Date().toISOString().replace('T', ' ');

// The records engine's statements (libs/records/src/record-reader.ts, record-writer.ts and
// record-rule.ts), with `owner = @request.auth.id` compiled by hand.
const VIEW_SQL = 'SELECT "posts".* FROM "posts" WHERE "posts".id = $1 AND ("posts"."owner" = $2)';
const LIST_SQL =
  'SELECT "posts".* FROM "posts" WHERE ("posts"."owner" = $1) ORDER BY "posts"."created", "posts".id LIMIT 20 OFFSET 0';
const COUNT_SQL = 'SELECT count(*) AS n FROM "posts" WHERE ("posts"."owner" = $1)';
const RELATION_SQL = 'SELECT id FROM "users" WHERE id = ANY($1::text[])';
const INSERT_SQL =
  'INSERT INTO "posts" ("id", "title", "body", "owner", "views", "score", "published", "created", "updated") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *';
const RULE_SQL = 'SELECT 1 FROM "posts" WHERE "posts".id = $1 AND ("posts"."owner" = $2)';
const UPDATE_SQL = 'UPDATE "posts" SET "title" = $2, "views" = $3, "updated" = $4 WHERE id = $1 RETURNING *';

const BODY_TEXT =
  'A benchmark post written through the API. It is about as long as a seeded row, so a create moves the same bytes. '.repeat(
    4,
  );

/** A new post of about 600 bytes, as JSON. */
function newPost(ownerId: string) {
  return {
    title: 'A post created during the records benchmark, sixty chars',
    body: BODY_TEXT.slice(0, 400),
    owner: ownerId,
    views: 7,
    score: 42.5,
    published: '2026-11-24 12:00:00.000Z',
  };
}

async function directCreate(pool: pg.Pool, ownerId: string): Promise<void> {
  const post = newPost(ownerId);
  await pool.query(RELATION_SQL, [[ownerId]]);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const stamp = now();
    const { rows } = await client.query<{ id: string }>(INSERT_SQL, [
      newRecordId(),
      post.title,
      post.body,
      post.owner,
      post.views,
      post.score,
      post.published,
      stamp,
      stamp,
    ]);
    await client.query(RULE_SQL, [rows[0]?.id, ownerId]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function directUpdate(pool: pg.Pool, context: ScenarioContext, views: number): Promise<void> {
  const id = pick(context.postIds);
  const { rowCount } = await pool.query(VIEW_SQL, [id, context.ownerId]);
  if (!rowCount) throw new Error(`post ${id} not visible`);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(UPDATE_SQL, [id, `Updated title ${views}`, views, now()]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function directList(pool: pg.Pool, ownerId: string, withTotal: boolean): Promise<void> {
  await pool.query(LIST_SQL, [ownerId]);
  if (withTotal) await pool.query(COUNT_SQL, [ownerId]);
}

const updateRequest = (context: ScenarioContext): HttpRequest => ({
  method: 'PATCH',
  path: RECORDS,
  setupRequest: (request) => {
    const views = randomInt(100_000);
    return {
      ...request,
      path: `${RECORDS}/${pick(context.postIds)}`,
      body: JSON.stringify({ title: `Updated title ${views}`, views }),
    };
  },
});

export const SCENARIOS: Scenario[] = [
  {
    name: 'view one record by id',
    connections: 10,
    http: (context) => [
      {
        method: 'GET',
        path: RECORDS,
        setupRequest: (request) => ({ ...request, path: `${RECORDS}/${pick(context.postIds)}` }),
      },
    ],
    direct: (context) => async (pool) => {
      await pool.query(VIEW_SQL, [pick(context.postIds), context.ownerId]);
    },
  },
  {
    name: 'list 20 (owner rule, with totals)',
    connections: 10,
    http: () => [{ method: 'GET', path: `${RECORDS}?perPage=20` }],
    direct: (context) => (pool) => directList(pool, context.ownerId, true),
  },
  {
    name: 'list 20 (owner rule, skipTotal=1)',
    connections: 10,
    http: () => [{ method: 'GET', path: `${RECORDS}?perPage=20&skipTotal=1` }],
    direct: (context) => (pool) => directList(pool, context.ownerId, false),
  },
  {
    name: 'create one ~600 B record',
    connections: 10,
    http: (context) => [{ method: 'POST', path: RECORDS, body: JSON.stringify(newPost(context.ownerId)) }],
    direct: (context) => (pool) => directCreate(pool, context.ownerId),
  },
  {
    name: 'update + list 20, alternating',
    connections: 300,
    http: (context) => [updateRequest(context), { method: 'GET', path: `${RECORDS}?perPage=20` }],
    direct: (context) => (pool, call) =>
      call % 2 === 0 ? directUpdate(pool, context, randomInt(100_000)) : directList(pool, context.ownerId, true),
  },
];
