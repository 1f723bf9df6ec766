import type { Collection } from '@hivebase/schema';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CompileOptions,
  compileFilter,
  compileSort,
  evaluateFilter,
  FilterError,
  type FilterNode,
  type Operand,
} from '../src';
import { filterNode, sometimes } from './support/filter.arbitraries';
import {
  createJoinSchema,
  createScratchDatabase,
  JOIN_COLLECTIONS,
  JOIN_FIELDS,
  JOIN_ROWS,
  JOIN_SORTS,
  JOIN_TEXTS,
  joinLookup,
  publicLookup,
  requestOf,
  VIEWERS,
  type Viewer,
} from './support/join-fixtures';

// Non-interference of list rules and email visibility: a non-superuser's filter or sort over the
// real data must give exactly what the same filter gives over the data the rules let that caller
// list (the superuser's view, filtered by every collection's listRule in memory), with every
// email whose emailVisibility is false overwritten. A record or value the rules hide that changed
// any answer would show up as a difference.
//
// HB_FUZZ_RUNS=<n> sets the number of generated filters (default 2000; sorts get a quarter);
// HB_FUZZ_SEED=<n> replays a run.
const FILTER_RUNS = Number(process.env.HB_FUZZ_RUNS ?? 2000);
const SORT_RUNS = Math.max(100, Math.floor(FILTER_RUNS / 4));
const FUZZ_SEED = Number(process.env.HB_FUZZ_SEED ?? 20240311);
// Thousands of queries: on a loaded 2-core CI machine they take longer than the default 30 s budget.
const FUZZ_TIMEOUT_MS = 180_000;
if (!Number.isSafeInteger(FILTER_RUNS) || FILTER_RUNS < 1) throw new Error('HB_FUZZ_RUNS must be a positive integer');
if (!Number.isSafeInteger(FUZZ_SEED)) throw new Error('HB_FUZZ_SEED must be an integer');

const NOW = new Date('2024-03-11T12:00:00.000Z');
type Base = keyof typeof JOIN_FIELDS;
const BASES = Object.keys(JOIN_FIELDS) as Base[];
type Row = Record<string, unknown>;

let db: Awaited<ReturnType<typeof createScratchDatabase>>;
let full: pg.Client;
const views = new Map<Viewer, { client: pg.Client; visible: Map<string, Set<string>> }>();

/** Ids of `collection`'s rows that `viewer` may list: the rule in memory, else the rule in SQL. */
async function visibleIds(collection: Collection, viewer: Viewer): Promise<Set<string>> {
  const rows = JOIN_ROWS[collection.name] ?? [];
  const rule = collection.listRule;
  if (rule === null) return new Set();
  const request = requestOf(viewer);
  const compiled = compileFilter(rule, { lookup: joinLookup, collection, request, allowHiddenFields: true });
  const fromSql = new Set(
    (
      await full.query<{ id: string }>(
        `SELECT "id" FROM "${collection.name}" AS "${collection.name}" WHERE ${compiled.sql}`,
        compiled.params,
      )
    ).rows.map((r) => r.id),
  );
  const visible = new Set<string>();
  for (const row of rows) {
    const answer = evaluateFilter(rule, {
      collection,
      lookup: joinLookup,
      record: row,
      request,
      allowHiddenFields: true,
    });
    const id = String(row.id);
    // where the evaluator decides, it must agree with the database
    if (answer !== 'unknown') expect(fromSql.has(id)).toBe(answer);
    if (answer === true || (answer === 'unknown' && fromSql.has(id))) visible.add(id);
  }
  return visible;
}

beforeAll(async () => {
  db = await createScratchDatabase();
  full = await db.connect('full');
  await createJoinSchema(full, 'full', JOIN_ROWS);
  for (const viewer of VIEWERS) {
    const visible = new Map<string, Set<string>>();
    const rows: Record<string, Row[]> = {};
    for (const collection of JOIN_COLLECTIONS) {
      const ids = await visibleIds(collection, viewer);
      visible.set(collection.name, ids);
      rows[collection.name] = (JOIN_ROWS[collection.name] ?? [])
        .filter((row) => ids.has(String(row.id)))
        // an email the caller may not see gets a value unlike any other
        .map((row, i) => (row.emailVisibility === false ? { ...row, email: `zz${i}@qq.test` } : row));
    }
    const schema = `view_${viewer}`;
    await createJoinSchema(full, schema, rows);
    views.set(viewer, { client: await db.connect(schema), visible });
  }
});

afterAll(async () => {
  await db?.drop();
});

async function ids(client: pg.Client, table: string, where: string, params: unknown[]): Promise<string[]> {
  const result = await client.query<{ id: string }>(`SELECT "id" FROM "${table}" WHERE ${where} ORDER BY 1`, params);
  return result.rows.map((r) => r.id);
}

function mentionsEmail(node: FilterNode): boolean {
  if (node.type === 'logical') return node.items.some(mentionsEmail);
  const email = (o: Operand): boolean =>
    (o.type === 'field' && /(^|\.)email(:lower)?$/.test(o.name)) || (o.type === 'call' && o.args.some(email));
  return email(node.left) || email(node.right);
}

const clientOptions = (base: Base, viewer: Viewer, lookup = joinLookup): CompileOptions => ({
  lookup,
  collection: base,
  request: requestOf(viewer),
  // a non-superuser's ?filter= as the records layer compiles it
  allowHiddenFields: false,
  allowRequestAndCollectionRefs: false,
  // one instant for every compile: the date macros must not differ between the two answers
  now: NOW,
});

const baseAndNode = fc
  .constantFrom(...BASES)
  .chain((base) =>
    fc.tuple(
      fc.constant(base),
      fc.constantFrom(...VIEWERS),
      filterNode({ fields: JOIN_FIELDS[base], maxDepth: 2, texts: JOIN_TEXTS, functions: false }),
    ),
  );

describe('list rules and email visibility through joins (fuzz)', () => {
  it(
    `a non-superuser's filter reveals nothing the rules hide (${FILTER_RUNS} filters)`,
    async () => {
      let compared = 0;
      let selective = 0;
      await fc.assert(
        fc.asyncProperty(baseAndNode, async ([base, viewer, node]) => {
          const view = views.get(viewer) as NonNullable<ReturnType<typeof views.get>>;
          let real: ReturnType<typeof compileFilter>;
          try {
            real = compileFilter(node, clientOptions(base, viewer));
          } catch (error) {
            if (error instanceof FilterError) return;
            throw error;
          }
          const visibleBase = view.visible.get(base) as Set<string>;
          const got = (await ids(full, base, real.sql, real.params)).filter((id) => visibleBase.has(id));
          const oracle = compileFilter(node, clientOptions(base, viewer, publicLookup));
          const expected = await ids(view.client, base, oracle.sql, oracle.params);
          expect(got).toEqual(expected);
          if (!mentionsEmail(node)) {
            // without emails, exactly the superuser's answer over the rule-filtered data
            const superuser = compileFilter(node, {
              ...clientOptions(base, viewer, publicLookup),
              allowHiddenFields: true,
            });
            expect(await ids(view.client, base, superuser.sql, superuser.params)).toEqual(expected);
          }
          compared++;
          if (got.length > 0 && got.length < visibleBase.size) selective++;
        }),
        { numRuns: FILTER_RUNS, seed: FUZZ_SEED },
      );
      console.info(
        `join-rules fuzz: ${FILTER_RUNS} filters, ${compared} compiled and compared, ${selective} selective`,
      );
      // most generated filters must compile and enough must select some records but not all
      expect(compared).toBeGreaterThan(FILTER_RUNS * 0.6);
      expect(selective).toBeGreaterThan(compared * 0.05);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    `a non-superuser's sort orders by nothing the rules hide (${SORT_RUNS} sorts)`,
    async () => {
      const sortArb = fc
        .constantFrom(...BASES)
        .chain((base) =>
          fc.tuple(
            fc.constant(base),
            fc.constantFrom(...VIEWERS),
            fc.array(fc.tuple(fc.constantFrom(...JOIN_SORTS[base]), sometimes(50)), { minLength: 1, maxLength: 3 }),
          ),
        );
      await fc.assert(
        fc.asyncProperty(sortArb, async ([base, viewer, fields]) => {
          const view = views.get(viewer) as NonNullable<ReturnType<typeof views.get>>;
          const sort = fields.map(([name, desc]) => `${desc ? '-' : ''}${name}`).join(',');
          const visibleBase = [...(view.visible.get(base) as Set<string>)];
          const real = compileSort(sort, { ...clientOptions(base, viewer), paramOffset: 1 });
          const got = await full.query<{ id: string }>(
            `SELECT "id" FROM "${base}" WHERE "id" = ANY($1::text[]) ORDER BY ${real.sql}, "id"`,
            [visibleBase, ...real.params],
          );
          const oracle = compileSort(sort, clientOptions(base, viewer, publicLookup));
          const expected = await view.client.query<{ id: string }>(
            `SELECT "id" FROM "${base}" ORDER BY ${oracle.sql}, "id"`,
            oracle.params,
          );
          expect(got.rows.map((r) => r.id)).toEqual(expected.rows.map((r) => r.id));
        }),
        { numRuns: SORT_RUNS, seed: FUZZ_SEED },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
