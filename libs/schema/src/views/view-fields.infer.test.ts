import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../indexes/testing/scratch-database';
import type { Field } from '../model/field.model';
import { LOOKUP, POSTS, POSTS_VIEW, TABLES_DDL, USERS } from './testing/view-collections.fixture';
import { inferViewFields, sanitizePgMessage } from './view-fields.infer';
import { ViewQueryError } from './view-query.errors';
import { createViewSql } from './view-sql.builder';

let db: ScratchDatabase;

beforeAll(async () => {
  db = await createScratchDatabase();
  for (const statement of TABLES_DDL) await db.client.query(statement);
  await db.client.query(createViewSql(POSTS_VIEW.name, POSTS_VIEW.viewQuery));
});

afterAll(async () => {
  await db?.drop();
});

const infer = (query: string) => inferViewFields(db.client, query, LOOKUP);
const byName = (fields: Field[]) => Object.fromEntries(fields.map((field) => [field.name, field]));
const original = (collection: { fields: Field[] }, name: string) => {
  const field = collection.fields.find((candidate) => candidate.name === name);
  if (!field) throw new Error(`no field ${name}`);
  return field;
};

/** `field` is `source` renamed, with a fresh `_clone_` id and every option kept. */
function expectClone(field: Field | undefined, source: Field, name: string): void {
  expect(field).toEqual({ ...source, id: expect.stringMatching(/^_clone_[A-Za-z0-9]{4}$/), name });
}

async function inferError(query: string): Promise<ViewQueryError> {
  const error = await infer(query).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ViewQueryError);
  return error as ViewQueryError;
}

describe('inferViewFields: fields', () => {
  it('gives the id column the view id field and reuses fields through aliases', async () => {
    const fields = await infer('select p.id, p.title as name from posts p');
    expect(fields.map((field) => field.name)).toEqual(['id', 'name']);
    expect(fields[0]).toEqual({
      id: 'text3208210256',
      name: 'id',
      type: 'text',
      system: true,
      hidden: false,
      presentable: false,
      required: true,
      min: 0,
      max: 0,
      pattern: '^[a-z0-9]+$',
      autogeneratePattern: '',
      primaryKey: true,
    });
    expectClone(fields[1], original(POSTS, 'title'), 'name');
  });

  it('keeps options of relation, select, number, json, autodate and hidden fields', async () => {
    const fields = byName(await infer(`select id, tags, status, views, meta, author, created, published from posts`));
    for (const name of ['tags', 'status', 'views', 'meta', 'author', 'created', 'published']) {
      expectClone(fields[name], original(POSTS, name), name);
    }
    const users = byName(await infer('select u.id, u.password as secret, u.email from users u'));
    expectClone(users.secret, original(USERS, 'password'), 'secret');
    expect(users.secret.hidden).toBe(true);
  });

  it('follows joins, subqueries and CTEs back to the collection fields', async () => {
    const fields = byName(
      await infer(`
        with recent as (select id, title, author from posts)
        select r.id, r.title, u.email as author_email, u.id as author_id, s.status
          from recent r
          join users u on u.id = r.author
          left join (select id, status from posts) s on s.id = r.id`),
    );
    expectClone(fields.title, original(POSTS, 'title'), 'title');
    expectClone(fields.author_email, original(USERS, 'email'), 'author_email');
    expectClone(fields.status, original(POSTS, 'status'), 'status');
    // A selected collection id is a relation to that collection, as in PocketBase.
    expect(fields.author_id).toEqual({
      id: expect.stringMatching(/^relation\d+$/),
      name: 'author_id',
      type: 'relation',
      system: false,
      hidden: false,
      presentable: false,
      required: false,
      collectionId: 'pbc_users',
      cascadeDelete: false,
      minSelect: 0,
      maxSelect: 1,
    });
  });

  it('gives the same field twice two different ids', async () => {
    const fields = await infer('select id, title as a, title as b from posts');
    expect(fields[1].id).not.toBe(fields[2].id);
  });

  it('reuses the fields of a view collection', async () => {
    const fields = await infer('select v.id, v.name as label from posts_view v');
    expectClone(fields[1], original(POSTS_VIEW, 'name'), 'label');
  });

  it('types expressions by their Postgres type', async () => {
    const fields = byName(
      await infer(`
        select (row_number() over())::text as id, count(*) over () as total, sum(views) over () as sum_views,
               avg(views) over () as avg_views, 1.5::numeric as ratio, bool_or(published) over () as any_published,
               title || '!' as shout, 'x'::varchar as v, now() as ts, array[title] as titles,
               jsonb_build_object('a', 1) as obj, (published and true) as pub, gen_random_uuid() as uid
          from posts`),
    );
    const types = Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.type]));
    expect(types).toEqual({
      id: 'text',
      total: 'number',
      sum_views: 'number',
      avg_views: 'number',
      ratio: 'number',
      any_published: 'bool',
      shout: 'text',
      v: 'text',
      ts: 'json',
      titles: 'json',
      obj: 'json',
      pub: 'bool',
      uid: 'json',
    });
    expect(fields.total).toEqual({
      id: expect.stringMatching(/^number\d+$/),
      name: 'total',
      type: 'number',
      system: false,
      hidden: false,
      presentable: false,
      required: false,
      min: null,
      max: null,
      onlyInt: false,
    });
    expect(fields.ts).toMatchObject({ type: 'json', maxSize: 1 });
  });

  it('types columns of tables that are not collections like expressions', async () => {
    expect((await infer('select id, n from plain')).map((field) => field.type)).toEqual(['text', 'number']);
  });

  it('accepts a group by with count(*) and a trailing semicolon', async () => {
    const fields = await infer('select author as id, count(*) as total from posts group by author;');
    expect(fields.map((field) => [field.name, field.type])).toEqual([
      ['id', 'text'],
      ['total', 'number'],
    ]);
  });
});

describe('inferViewFields: rejected queries', () => {
  it.each([
    ['select title from posts', /^missing required id column \(you can use `\(ROW_NUMBER\(\) OVER\(\)\) as id`/],
    ['select id, title, title from posts', /duplicated column name "title"/],
    ['select id as "ID", title from posts', /missing required id column/],
    ['select id, title as "Title", title from posts', /duplicated column name "title"/],
    ['select id, 1 + 1 from posts', /invalid column name "\?column\?"/],
    ['select id, title as "a b" from posts', /invalid column name "a b"/],
    ['select 1 as id; select 2 as id', /multiple statements/],
    ['select 1 as id; delete from posts', /multiple statements/],
    ['delete from posts', /only SELECT/],
    ['with x as (delete from posts returning id) select id from x', /data-modifying/],
    ['select id form posts', /^syntax error at or near "posts"$/],
    ['select id from nope', /^relation "nope" does not exist$/],
    ['select id, nope from posts', /^column "nope" does not exist$/],
  ])('%s', async (query, message) => {
    expect((await inferError(query)).message).toMatch(message);
  });

  it('leaves the data alone', async () => {
    await inferError('with x as (delete from posts returning id) select id from x');
    await inferError('select 1 as id; delete from posts');
    const { rows } = await db.client.query('select count(*)::int as n from posts');
    expect(rows[0].n).toBe(2);
  });

  it('cannot break out of the wrapper into a second statement', async () => {
    // Without semicolons the best an attacker gets is a different, still read-only, SELECT.
    const fields = await infer('select id from posts) as a, (select 1 as one');
    expect(fields.map((field) => field.name)).toEqual(['id', 'one']);
  });
});

describe('inferViewFields: transactions', () => {
  it('leaves no transaction open when called outside one', async () => {
    await infer('select id from posts');
    await inferError('select nope from posts');
    await expect(db.client.query('SAVEPOINT probe')).rejects.toMatchObject({ code: '25P01' });
  });

  it('runs read-only inside the caller transaction and leaves it usable and writable', async () => {
    await db.client.query('BEGIN');
    try {
      await db.client.query(`INSERT INTO posts (id, title) VALUES ('p3', 'in tx')`);
      expect((await infer('select id, title from posts')).length).toBe(2);
      await inferError('select id from nope');
      await db.client.query(`INSERT INTO posts (id, title) VALUES ('p4', 'still writable')`);
      const { rows } = await db.client.query('select count(*)::int as n from posts');
      expect(rows[0].n).toBe(4);
    } finally {
      await db.client.query('ROLLBACK');
    }
  });

  it('runs the probe in a read-only transaction, in and outside a caller transaction', async () => {
    // LIMIT 0 executes nothing, but the planner folds immutable calls: report the mode from one.
    await db.client.query(`CREATE OR REPLACE FUNCTION hb_report_mode() RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
      BEGIN RAISE EXCEPTION 'read only: %', current_setting('transaction_read_only'); END $$`);
    expect((await inferError('select hb_report_mode() as id')).message).toBe('read only: on');
    await db.client.query('BEGIN');
    try {
      expect((await inferError('select hb_report_mode() as id')).message).toBe('read only: on');
      const { rows } = await db.client.query("select current_setting('transaction_read_only') as ro");
      expect(rows[0].ro).toBe('off');
    } finally {
      await db.client.query('ROLLBACK');
    }
  });
});

describe('sanitizePgMessage', () => {
  it('flattens and bounds messages', () => {
    expect(sanitizePgMessage('a\n\tb\u0000c')).toBe('a b c');
    expect(sanitizePgMessage('x'.repeat(400))).toHaveLength(300);
  });
});
