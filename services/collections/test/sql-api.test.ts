import type { TestDatabase } from '@hivebase/platform/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { startCollectionsApp } from './support/test-app';

type Json = Record<string, unknown>;
type Who = 'superuser' | 'user' | 'guest';

// Short enough to test cancellation quickly; long enough for every other query here.
const TIMEOUT_MS = 2_000;

let database: TestDatabase;
let app: NestFastifyApplication;
let pool: Pool;
const tokens: Record<Who, string> = { superuser: '', user: '', guest: '' };

interface Answer {
  status: number;
  body: Json;
}

/** `POST /api/sql` as the SDK sends it; `raw` sends a body as is, with `contentType`. */
async function sql(query: unknown, who: Who = 'superuser', raw?: string, contentType = 'application/json') {
  const response = await app.inject({
    method: 'POST',
    url: '/api/sql',
    headers: { 'content-type': contentType, ...(tokens[who] ? { authorization: tokens[who] } : {}) },
    payload: raw ?? JSON.stringify({ query }),
  });
  return { status: response.statusCode, body: response.json() as Json } satisfies Answer;
}

async function tableExists(name: string): Promise<boolean> {
  const { rows } = await pool.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [name]);
  return rows[0]?.exists === true;
}

const executionFailed = (reason: string | RegExp) => ({
  status: 400,
  body: {
    status: 400,
    data: {},
    message: expect.stringMatching(
      typeof reason === 'string'
        ? new RegExp(`^Failed to execute query\\. Raw error:\\n${reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)
        : new RegExp(`^Failed to execute query\\. Raw error:\\n${reason.source}`),
    ),
  },
});

const validationFailed = (query: Json) => ({
  status: 400,
  body: { status: 400, message: 'An error occurred while validating the submitted data.', data: { query } },
});

const loadFailed = {
  status: 400,
  body: { status: 400, message: 'An error occurred while loading the submitted data.', data: {} },
};

const result = (columns: Json[], rows: (string | null)[][], affectedRows = 0) => ({
  status: 200,
  body: { execTime: expect.any(Number), affectedRows, columns, rows },
});

beforeAll(async () => {
  ({ database, app, pool } = await startCollectionsApp('sql-test', { HB_SQL_TIMEOUT_MS: String(TIMEOUT_MS) }));
  tokens.superuser = (await createAuthRecord(app, '_superusers', 'root@example.com')).token;
  tokens.user = (await createAuthRecord(app, 'users', 'user@example.com')).token;
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe('POST /api/sql', () => {
  // PocketBase's apis/sql_test.go scenarios, then Postgres' own cases.
  it.each<[string, () => Promise<Answer>, unknown]>([
    [
      'guest → 401',
      () => sql('select 1', 'guest'),
      {
        status: 401,
        body: { status: 401, message: 'The request requires valid record authorization token.', data: {} },
      },
    ],
    [
      'regular user → 403',
      () => sql('select 1', 'user'),
      {
        status: 403,
        body: { status: 403, message: 'The authorized record is not allowed to perform this action.', data: {} },
      },
    ],
    [
      'superuser: select 1',
      () => sql('select 1'),
      result([{ name: '?column?', type: 'integer', nullable: true }], [['1']]),
    ],
    ['empty query', () => sql(''), validationFailed({ code: 'validation_required', message: 'Cannot be blank.' })],
    [
      'missing query',
      () => sql(undefined, 'superuser', '{}'),
      validationFailed({ code: 'validation_required', message: 'Cannot be blank.' }),
    ],
    ['null query', () => sql(null), validationFailed({ code: 'validation_required', message: 'Cannot be blank.' })],
    ['only whitespace: runs, and fails as an empty query', () => sql(' \n\t '), executionFailed('empty query')],
    ['invalid query', () => sql('invalid'), executionFailed('syntax error at or near "invalid"')],
    [
      'query with length above the limit',
      () => sql('a'.repeat(5001)),
      validationFailed({
        code: 'validation_length_too_long',
        message: 'The length must be no more than 5000.',
        params: { min: 0, max: 5000 },
      }),
    ],
    [
      'query with length equal to the limit',
      () => sql(`select '${'a'.repeat(4985)}' as id`),
      result([{ name: 'id', type: 'text', nullable: true }], [['a'.repeat(4985)]]),
    ],
    [
      'the limit counts characters, not UTF-16 units (5000 with astral ones)',
      () => sql(`select '${'😀'.repeat(4985)}' as id`),
      result([{ name: 'id', type: 'text', nullable: true }], [['😀'.repeat(4985)]]),
    ],
    [
      'multiple read queries: the last result only',
      () => sql('select 1 as one;select 2 as two'),
      result([{ name: 'two', type: 'integer', nullable: true }], [['2']]),
    ],
    ['query of the wrong type', () => sql(5000), loadFailed],
    ['query as an array', () => sql(['select 1']), loadFailed],
    ['body as an array', () => sql(undefined, 'superuser', '["select 1"]'), loadFailed],
    ['body as a string', () => sql(undefined, 'superuser', '"select 1"'), loadFailed],
    [
      'body that is not JSON',
      () => sql(undefined, 'superuser', '{"query": select 1}'),
      { status: 400, body: { status: 400, message: expect.any(String), data: {} } },
    ],
    // PocketBase's BindBody error, passed through as it is (firstApiError).
    [
      'body as plain text',
      () => sql(undefined, 'superuser', 'select 1', 'text/plain'),
      { status: 400, body: { status: 400, message: 'Unsupported Content-Type.', data: {} } },
    ],
    [
      'a form body, bound as PocketBase binds forms',
      () => sql(undefined, 'superuser', 'query=select+1+as+one', 'application/x-www-form-urlencoded'),
      result([{ name: 'one', type: 'integer', nullable: true }], [['1']]),
    ],
    [
      'an XML body (no form reads XML)',
      () => sql(undefined, 'superuser', '<query>select 1</query>', 'application/xml'),
      loadFailed,
    ],
    [
      'body of a media type PocketBase does not bind',
      () => sql(undefined, 'superuser', 'select 1', 'application/sql'),
      { status: 400, body: { status: 400, message: 'Unsupported Content-Type.', data: {} } },
    ],
    [
      'JSON with data after the object (Go reads one value)',
      () => sql(undefined, 'superuser', '{"query":"select 1 as one"} junk'),
      result([{ name: 'one', type: 'integer', nullable: true }], [['1']]),
    ],
    [
      'a failing statement among several',
      () => sql('select 1; select 1/0; select 2'),
      executionFailed('division by zero'),
    ],
    [
      'a missing table',
      () => sql('select * from no_such_table'),
      executionFailed('relation "no_such_table" does not exist'),
    ],
    [
      'COPY FROM STDIN is refused rather than waiting for data',
      () => sql('copy (select 1) to stdout; create temp table t(x int); copy t from stdin'),
      executionFailed('COPY from stdin failed: COPY FROM STDIN is not supported by the SQL console'),
    ],
    [
      'COPY FROM STDIN alone is refused too',
      () => sql('copy _params from stdin'),
      executionFailed('COPY from stdin failed: COPY FROM STDIN is not supported by the SQL console'),
    ],
    ['COPY TO STDOUT runs, its data dropped', () => sql('copy (select 1) to stdout'), result([], [])],
    ['VACUUM (not allowed in a transaction) runs', () => sql('vacuum _params'), result([], [])],
  ])('%s', async (_name, send, expected) => {
    expect(await send()).toMatchObject(expected as object);
  });

  it('renders every value as Postgres’ text output, NULL as null, with each column’s type', async () => {
    const answer = await sql(
      `select null::text as n, 1.50::numeric(6,2) as num, 42::int8 as big, true as b, '\\xdeadbeef'::bytea as bin,
              '{"a":1}'::jsonb as j, '2024-01-02 03:04:05+00'::timestamptz at time zone 'UTC' as ts, array[1,2] as arr`,
    );
    expect(answer).toMatchObject(
      result(
        [
          { name: 'n', type: 'text', nullable: true },
          { name: 'num', type: 'numeric(6,2)', nullable: true },
          { name: 'big', type: 'bigint', nullable: true },
          { name: 'b', type: 'boolean', nullable: true },
          { name: 'bin', type: 'bytea', nullable: true },
          { name: 'j', type: 'jsonb', nullable: true },
          { name: 'ts', type: 'timestamp without time zone', nullable: true },
          { name: 'arr', type: 'integer[]', nullable: true },
        ],
        [[null, '1.50', '42', 't', '\\xdeadbeef', '{"a": 1}', '2024-01-02 03:04:05', '{1,2}']],
      ),
    );
  });

  it('single write query: runs (in a transaction), answers no columns or rows', async () => {
    expect(await sql('create table test_sql_table(id int primary key)')).toMatchObject(result([], [], 0));
    expect(await tableExists('test_sql_table')).toBe(true);
  });

  it('multiple write queries: the changed rows of the last write, all committed', async () => {
    expect(
      await sql(
        'create table test_sql_multi(id int primary key, name varchar(20) not null, note text);' +
          "insert into test_sql_multi(id, name) values (1, 'a'), (2, 'b'), (3, 'c');" +
          "update test_sql_multi set note = 'x' where id < 3 returning *",
      ),
    ).toMatchObject(result([], [], 2));
    const { rows } = await pool.query('select id, note from test_sql_multi order by id');
    expect(rows).toEqual([
      { id: 1, note: 'x' },
      { id: 2, note: 'x' },
      { id: 3, note: null },
    ]);
  });

  it('takes nullability from the table column a result column reads, types with their modifiers', async () => {
    const answer = await sql('select id, name, note, upper(name) as shout from test_sql_multi order by id limit 1');
    expect(answer).toMatchObject(
      result(
        [
          { name: 'id', type: 'integer', nullable: false },
          { name: 'name', type: 'character varying(20)', nullable: false },
          { name: 'note', type: 'text', nullable: true },
          { name: 'shout', type: 'text', nullable: true },
        ],
        [['1', 'a', 'x', 'A']],
      ),
    );
  });

  it('multiple write queries (transaction rollback): a failing statement undoes the ones before it', async () => {
    expect(
      await sql(
        'create table test_sql_rollback(id int primary key);insert into test_sql_rollback(id)VALUES(1);invalid',
      ),
    ).toMatchObject(executionFailed('syntax error at or near "invalid"'));
    expect(await tableExists('test_sql_rollback')).toBe(false);

    // A constraint violation mid-way, and one a write's own COMMIT reports.
    expect(
      await sql("update test_sql_multi set note = 'y'; insert into test_sql_multi(id, name) values (1, 'dup')"),
    ).toMatchObject(
      executionFailed(
        'duplicate key value violates unique constraint "test_sql_multi_pkey"\nDETAIL: Key (id)=(1) already exists.',
      ),
    );
    const { rows } = await pool.query("select count(*)::int as n from test_sql_multi where note = 'y'");
    expect(rows[0]?.n).toBe(0);
  });

  it('caps the rows at 1000 of a query returning 100 000, without holding them all', async () => {
    const answer = await sql('select g as n, repeat($$x$$, 100) as pad from generate_series(1, 100000) g');
    expect(answer.status).toBe(200);
    const rows = answer.body.rows as string[][];
    expect(rows).toHaveLength(1000);
    expect(rows[0]?.[0]).toBe('1');
    expect(rows[999]?.[0]).toBe('1000');
  });

  it('stops a single statement at the 1000th row: one that could give 10^11 answers at once', async () => {
    const started = Date.now();
    const answer = await sql('select generate_series(1, 100000000000) as n');
    expect(answer.status).toBe(200);
    expect(answer.body.rows).toHaveLength(1000);
    expect((answer.body.rows as string[][])[999]).toEqual(['1000']);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    // Several statements cannot stop early; the last one's rows are capped all the same.
    const several = await sql('select 1; select generate_series(1, 5000) as n');
    expect(several.body.rows).toHaveLength(1000);
  });

  it('a single statement that writes through a CTE still writes everything, past the 1000 rows shown', async () => {
    await sql('create table test_sql_cte(n int)');
    const answer = await sql(
      'with ins as (insert into test_sql_cte select generate_series(1, 3000) returning n) select n from ins',
    );
    expect(answer.body.rows).toHaveLength(1000);
    const { rows } = await pool.query('select count(*)::int as n from test_sql_cte');
    expect(rows[0]?.n).toBe(3000);
  });

  it('cancels a statement running past HB_SQL_TIMEOUT_MS with a 400, and the app keeps serving', async () => {
    const started = Date.now();
    const sleeping = sql('select pg_sleep(30)');
    // Meanwhile the app's own pool is free: the console runs on connections of its own.
    const meanwhile = await app.inject({
      method: 'GET',
      url: '/api/collections',
      headers: { authorization: tokens.superuser },
    });
    expect(meanwhile.statusCode).toBe(200);
    expect(await sleeping).toMatchObject(executionFailed('canceling statement due to statement timeout'));
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 8_000);
  });

  it('a query that leaves its transaction open, or aborted, or kills its session harms no later query', async () => {
    // Read-classified: runs outside the write transaction, so these reach the session itself.
    expect(await sql('select 1 as a; begin; select 2 as b')).toMatchObject(
      result([{ name: 'b', type: 'integer', nullable: true }], [['2']]),
    );
    expect(await sql('begin; select 1/0')).toMatchObject(executionFailed('division by zero'));
    expect(
      await sql("set statement_timeout = '1h'; set search_path = nowhere; select pg_advisory_lock(4242)"),
    ).toMatchObject({
      status: 200,
    });
    // The session ended with the query: its advisory lock is gone (once Postgres notices).
    await vi.waitFor(
      async () => {
        const { rows } = await pool.query<{ ok: boolean }>('select pg_try_advisory_lock(4242) as ok');
        expect(rows[0]?.ok).toBe(true);
        await pool.query('select pg_advisory_unlock(4242)');
      },
      { timeout: 5_000, interval: 100 },
    );
    expect(await sql('select pg_terminate_backend(pg_backend_pid())')).toMatchObject(
      executionFailed('terminating connection due to administrator command'),
    );
    // Nor did its SETs: the next query has the configured timeout and the usual search path.
    expect(await sql('select current_setting($$statement_timeout$$) as t, count(*) as n from _params')).toMatchObject(
      result(
        [
          { name: 't', type: 'text', nullable: true },
          { name: 'n', type: 'bigint', nullable: true },
        ],
        [['2s', expect.any(String)]],
      ),
    );
  });

  it('handles several console queries at once', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => sql(`select ${i} as i, pg_sleep(0.1)`)));
    expect(answers.map((answer) => (answer.body.rows as string[][])[0]?.[0])).toEqual(['0', '1', '2', '3', '4', '5']);
  });
});
