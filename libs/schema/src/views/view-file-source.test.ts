import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeField } from '../fields/testing/field-fixtures';
import { createScratchDatabase, type ScratchDatabase } from '../indexes/testing/scratch-database';
import type { ViewCollection } from '../model/collection.model';
import { makeCollection, makeLookup } from '../testing/collection.fixture';
import { viewColumnOrigins } from './view-fields.infer';
import { findViewFileSource, MAX_VIEW_FILE_DEPTH } from './view-file-source';
import { ViewQueryError } from './view-query.errors';
import { createViewSql } from './view-sql.builder';

const ONE = makeField('file', { id: 'file_one', name: 'one', maxSelect: 1 });
const MANY = makeField('file', { id: 'file_many', name: 'many', maxSelect: 3 });
const TITLE = makeField('text', { id: 'text_title', name: 'title' });
const DOCS = makeCollection([makeField('text', { id: 'text_id', name: 'id' }), TITLE, ONE, MANY], {
  id: 'pbc_docs',
  name: 'docs',
});

const view = (name: string, viewQuery: string): ViewCollection => ({
  ...makeCollection([], { id: `pbc_${name}`, name }),
  type: 'view',
  viewQuery,
});

// A chain: level0 reads docs, level1 reads level0 (renaming), … (deeper than PocketBase follows).
const CHAIN = Array.from({ length: MAX_VIEW_FILE_DEPTH + 1 }, (_, level) =>
  view(
    `level${level}`,
    level === 0
      ? 'select id, one as one0, many as many0 from docs'
      : `select id, one${level - 1} as one${level}, many${level - 1} as many${level} from level${level - 1}`,
  ),
);
const RENAMED = view('renamed', 'select d.id, d.one as attachment, d.title from docs d');
const COMPUTED = view('computed', "select id, coalesce(nullif(one, ''), 'x') as one, 'x' || many[1] as many from docs");
const JOINED = view(
  'joined',
  'with picked as (select id, many from docs) select p.id, p.many as files, x.n from picked p join plain x on x.id = p.id',
);
const LOOKUP = makeLookup([DOCS, ...CHAIN, RENAMED, COMPUTED, JOINED]);

let db: ScratchDatabase;
const origins = (target: ViewCollection) => viewColumnOrigins(db.client, target.viewQuery);
const sourceOf = (target: ViewCollection, field: string) => findViewFileSource(LOOKUP, target, field, origins);

beforeAll(async () => {
  db = await createScratchDatabase();
  await db.client.query(
    `CREATE TABLE "docs" ("id" text PRIMARY KEY, "title" text NOT NULL DEFAULT '', "one" text NOT NULL DEFAULT '', "many" text[] NOT NULL DEFAULT '{}')`,
  );
  await db.client.query(`CREATE TABLE "plain" ("id" text PRIMARY KEY, "n" integer NOT NULL DEFAULT 0)`);
  for (const collection of [...CHAIN, RENAMED, COMPUTED, JOINED]) {
    await db.client.query(createViewSql(collection.name, collection.viewQuery));
  }
});

afterAll(async () => {
  await db?.drop();
});

describe('viewColumnOrigins', () => {
  it('names the table and column of plain columns, through aliases, CTEs and joins', async () => {
    expect(await origins(RENAMED)).toEqual(
      new Map([
        ['id', { tableName: 'docs', columnName: 'id' }],
        ['attachment', { tableName: 'docs', columnName: 'one' }],
        ['title', { tableName: 'docs', columnName: 'title' }],
      ]),
    );
    expect(await origins(JOINED)).toEqual(
      new Map([
        ['id', { tableName: 'docs', columnName: 'id' }],
        ['files', { tableName: 'docs', columnName: 'many' }],
        ['n', { tableName: 'plain', columnName: 'n' }],
      ]),
    );
  });

  it('leaves computed columns out and names a view read from, not its source', async () => {
    expect([...(await origins(COMPUTED)).keys()]).toEqual(['id']);
    expect((await origins(CHAIN[1] as ViewCollection)).get('one1')).toEqual({
      tableName: 'level0',
      columnName: 'one0',
    });
  });

  it('throws ViewQueryError for a query Postgres refuses', async () => {
    await expect(viewColumnOrigins(db.client, 'select id from missing_table')).rejects.toBeInstanceOf(ViewQueryError);
  });
});

describe('findViewFileSource', () => {
  it('maps single and multi file fields of a view to the collection field', async () => {
    expect(await sourceOf(CHAIN[0] as ViewCollection, 'one0')).toEqual({ collection: DOCS, field: ONE });
    expect(await sourceOf(CHAIN[0] as ViewCollection, 'many0')).toEqual({ collection: DOCS, field: MANY });
    expect(await sourceOf(RENAMED, 'attachment')).toEqual({ collection: DOCS, field: ONE });
    expect(await sourceOf(JOINED, 'files')).toEqual({ collection: DOCS, field: MANY });
  });

  it(`follows nested views down to ${MAX_VIEW_FILE_DEPTH} levels, as PocketBase, and no deeper`, async () => {
    const last = CHAIN[MAX_VIEW_FILE_DEPTH - 1] as ViewCollection;
    expect(await sourceOf(last, `one${MAX_VIEW_FILE_DEPTH - 1}`)).toEqual({ collection: DOCS, field: ONE });
    expect(await sourceOf(last, `many${MAX_VIEW_FILE_DEPTH - 1}`)).toEqual({ collection: DOCS, field: MANY });
    const tooDeep = CHAIN[MAX_VIEW_FILE_DEPTH] as ViewCollection;
    expect(await sourceOf(tooDeep, `one${MAX_VIEW_FILE_DEPTH}`)).toBeNull();
  });

  it('finds nothing for computed columns, non-file fields, unknown names and tables that are no collection', async () => {
    expect(await sourceOf(COMPUTED, 'one')).toBeNull();
    expect(await sourceOf(COMPUTED, 'many')).toBeNull();
    expect(await sourceOf(RENAMED, 'title')).toBeNull();
    expect(await sourceOf(RENAMED, 'id')).toBeNull();
    expect(await sourceOf(RENAMED, 'missing')).toBeNull();
    expect(await sourceOf(JOINED, 'n')).toBeNull();
  });

  it('does not take a collection id for a table name', async () => {
    // `pbc_docs` is DOCS' id: a view reading a table of that name must not map to DOCS.
    const origin = new Map([['one', { tableName: 'pbc_docs', columnName: 'one' }]]);
    expect(await findViewFileSource(LOOKUP, RENAMED, 'one', async () => origin)).toBeNull();
  });
});
