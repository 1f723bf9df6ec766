import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, failure, SHAPE_NAMES } from './support/auth-fixture';

// PocketBase's SQL console API through the SDK's `pb.sql.run()`, in both shapes.
describe.each(SHAPE_NAMES)('SQL console through the SDK (%s)', (shape) => {
  let booted: BootedWithRoot;
  let root: PocketBase;
  const ids: string[] = [];

  beforeAll(async () => {
    booted = await bootWithRoot(shape);
    root = booted.root;
    await root.collections.create({
      name: 'notes',
      type: 'base',
      listRule: '',
      viewRule: '',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'stars', type: 'number' },
      ],
    });
    for (const [title, stars] of [
      ['alpha', 1],
      ['beta', 2],
      ['gamma', 3],
    ] as const) {
      ids.push((await root.collection('notes').create({ title, stars })).id);
    }
    const password = 'sql-user-password-1';
    await root.collection('users').create({ email: 'sql-user@example.com', password, passwordConfirm: password });
  });
  afterAll(async () => {
    await booted?.stop();
  });

  it('selects: the last statement’s columns with types and its rows as text', async () => {
    const result = await root.sql.run('select title, stars from notes where stars >= 2 order by title');
    expect(result).toEqual({
      execTime: expect.any(Number),
      affectedRows: 0,
      columns: [
        { name: 'title', type: 'text', nullable: false },
        { name: 'stars', type: 'double precision', nullable: false },
      ],
      rows: [
        ['beta', '2'],
        ['gamma', '3'],
      ],
    });
  });

  it('updates: the changed rows counted, and the change is what the records API serves', async () => {
    const result = await root.sql.run(`update notes set title = 'ALPHA', stars = 10 where id = '${ids[0]}'`);
    expect(result).toEqual({ execTime: expect.any(Number), affectedRows: 1, columns: [], rows: [] });
    const record = await new PocketBase(booted.running.baseUrl).collection('notes').getOne(ids[0] ?? '');
    expect(record).toMatchObject({ id: ids[0], title: 'ALPHA', stars: 10 });
  });

  it('answers bad SQL with PocketBase’s 400 and Postgres’ own message', async () => {
    const error = await failure(root.sql.run('selec 1'));
    expect(error.status).toBe(400);
    expect(error.response).toEqual({
      status: 400,
      message: 'Failed to execute query. Raw error:\nsyntax error at or near "selec"',
      data: {},
    });
  });

  it('refuses guests (401) and other auth records (403)', async () => {
    const guest = await failure(new PocketBase(booted.running.baseUrl).sql.run('select 1'));
    expect(guest.status).toBe(401);
    const user = new PocketBase(booted.running.baseUrl);
    await user.collection('users').authWithPassword('sql-user@example.com', 'sql-user-password-1');
    const refused = await failure(user.sql.run('select 1'));
    expect(refused.status).toBe(403);
    // Neither reached the database: the notes are as the superuser left them.
    expect((await root.sql.run('select count(*) from notes')).rows).toEqual([['3']]);
  });
});
