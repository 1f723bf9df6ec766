import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '../indexes/testing/scratch-database';
import { InvalidSqlIdentifierError, quoteIdent } from './quote';

describe('quoteIdent, the one identifier gate', () => {
  let db: ScratchDatabase;
  beforeAll(async () => {
    db = await createScratchDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('quotes, doubling embedded quotes', () => {
    expect(quoteIdent('posts')).toBe('"posts"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });

  it('refuses what Postgres cannot name: empty, U+0000, not a string', () => {
    expect(() => quoteIdent('')).toThrow(InvalidSqlIdentifierError);
    expect(() => quoteIdent('a\u0000b')).toThrow(InvalidSqlIdentifierError);
    expect(() => quoteIdent(42 as unknown as string)).toThrow(InvalidSqlIdentifierError);
  });

  it('keeps hostile names in real Postgres: a table and column named like an injection', async () => {
    const table = 'x"; DROP TABLE victims; --';
    const column = `it's "quoted" \\ ; --`;
    await db.client.query('CREATE TABLE victims (id int)');
    await db.client.query(`CREATE TABLE ${quoteIdent(table)} (${quoteIdent(column)} text)`);
    await db.client.query(`INSERT INTO ${quoteIdent(table)} (${quoteIdent(column)}) VALUES ('ok')`);
    const { rows } = await db.client.query(`SELECT ${quoteIdent(column)} FROM ${quoteIdent(table)}`);
    expect(rows).toEqual([{ [column]: 'ok' }]);
    const { rows: tables } = await db.client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
    );
    expect(tables.map((row) => row.table_name).sort()).toEqual(['victims', table]);
  });
});
