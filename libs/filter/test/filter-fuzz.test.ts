import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CompileOptions,
  compileFilter,
  compileSort,
  evaluateFilter,
  FilterError,
  type FilterNode,
  parseFilter,
} from '../src';
import { AUTH_REQUEST, GUEST_REQUEST, NOW, POST_IDS, postRecord } from './support/context';
import {
  BAD_FIELDS,
  DB_FIELDS,
  generateNode,
  LOCAL_FIELDS,
  replaceLiterals,
  toFilterText,
} from './support/expression-generator';
import { createFixtureDatabase, lookup, matchingIds, posts } from './support/fixtures';
import { type Rng, runProperty, runPropertyAsync } from './support/random';

// Run counts: 107 000 generated inputs in total; parse-only properties take most of them.
const RUNS = {
  randomText: 45_000,
  tokenSoup: 25_000,
  roundTrip: 12_000,
  compile: 12_000,
  shape: 6_000,
  sort: 3_000,
  postgres: 2_000,
  agreement: 2_000,
};

const ALPHABET = [...'abcxyz_@#.:0123456789 \t\n\r()=!<>~?&|\'"\\/,-+*%;$é€\u0000\u0001', '𝄞', '\uD800'];
const TOKENS = [
  'title',
  'views',
  'author.name',
  '@request.auth.id',
  '@collection.tags.name',
  'labels:each',
  'meta.a.b',
  '=',
  '!=',
  '?=',
  '>',
  '>=',
  '<',
  '<=',
  '~',
  '!~',
  '?~',
  '&&',
  '||',
  '(',
  ')',
  '"x"',
  "'y'",
  '"a\\"b"',
  '12',
  '-3.5',
  'true',
  'false',
  'null',
  '@now',
  '@yearEnd',
  'geoDistance(',
  'strftime(',
  ',',
  '// c\n',
  ' ',
  "'; DROP TABLE x; --",
  '"unterminated',
  '1.',
  '===',
  '&|',
  '@nope',
  '\u0000',
  '((((((((',
  '))))',
];

/** Only the library's own errors may escape; anything else is a bug. */
function expectOnlyFilterErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof FilterError)) throw error;
    expect(error.message.length).toBeGreaterThan(0);
  }
}

const compileOptions = (hidden: boolean, guest: boolean): CompileOptions => ({
  lookup,
  collection: posts,
  request: guest ? GUEST_REQUEST : AUTH_REQUEST,
  allowHiddenFields: hidden,
  now: NOW,
});

describe('parser fuzz', () => {
  it('never crashes or hangs on random text', () => {
    runProperty(
      RUNS.randomText,
      (rng) => rng.string(ALPHABET, rng.bool(0.05) ? 4000 : 60),
      (input) => expectOnlyFilterErrors(() => parseFilter(input)),
    );
  });

  it('never crashes on token soup, deep nesting and huge literals', () => {
    runProperty(
      RUNS.tokenSoup,
      (rng) => {
        if (rng.bool(0.02)) return `${'('.repeat(rng.int(2000))}a=1${')'.repeat(rng.int(2000))}`;
        if (rng.bool(0.02)) return `a = "${'x'.repeat(rng.int(4000))}"`;
        const n = rng.int(40);
        let out = '';
        for (let i = 0; i < n; i++) out += rng.pick(TOKENS) + (rng.bool(0.6) ? ' ' : '');
        return out;
      },
      (input) => expectOnlyFilterErrors(() => parseFilter(input)),
    );
  });

  it('parses what it serialises (round trip of generated trees)', () => {
    runProperty(
      RUNS.roundTrip,
      (rng) => toFilterText(generateNode(rng, { fields: LOCAL_FIELDS, maxDepth: 3, hostile: true }), rng),
      (input) => {
        if (input.length > 3500) return;
        const first = parseFilter(input);
        expect(JSON.stringify(parseFilter(input))).toBe(JSON.stringify(first));
      },
    );
  });
});

describe('compiler fuzz', () => {
  const everyField = [...LOCAL_FIELDS, ...DB_FIELDS, ...BAD_FIELDS];

  it('never lets a value or an unknown name into the SQL text', () => {
    runProperty(
      RUNS.compile,
      (rng) => ({
        node: generateNode(rng, { fields: everyField, maxDepth: 3, hostile: true }),
        hidden: rng.bool(),
        guest: rng.bool(0.2),
      }),
      ({ node, hidden, guest }) =>
        expectOnlyFilterErrors(() => {
          const { sql, params } = compileFilter(node, compileOptions(hidden, guest));
          for (const marker of ['DROP', 'pg_sleep', '1=1', '€', '\u0000', '"--', 'x y'])
            expect(sql).not.toContain(marker);
          // every value is a parameter and every parameter is used
          const used = new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
          expect([...used].sort((a, b) => a - b)).toEqual(params.map((_, i) => i + 1));
        }),
    );
  });

  it('gives SQL whose shape does not depend on literal values', () => {
    runProperty(
      RUNS.shape,
      (rng: Rng) => {
        const node = generateNode(rng, { fields: [...LOCAL_FIELDS, ...DB_FIELDS], maxDepth: 3, hostile: true });
        return { node, variant: replaceLiterals(node, rng) };
      },
      ({ node, variant }: { node: FilterNode; variant: FilterNode }) => {
        let a: ReturnType<typeof compileFilter> | null = null;
        try {
          a = compileFilter(node, compileOptions(true, false));
        } catch (error) {
          if (!(error instanceof FilterError)) throw error;
        }
        if (!a) return;
        const b = compileFilter(variant, compileOptions(true, false));
        expect(b.sql).toBe(a.sql);
        expect(b.params.length).toBe(a.params.length);
      },
    );
  });

  it('never crashes on random sort parameters', () => {
    const parts = [
      'title',
      '-views',
      '+author.name',
      '@random',
      'tags.name',
      'nope',
      '--x',
      '',
      ' ',
      'meta.a',
      '@request.x',
    ];
    runProperty(
      RUNS.sort,
      (rng) => Array.from({ length: rng.int(10) }, () => rng.pick(parts)).join(rng.pick([',', ', ', ',,'])),
      (input) => expectOnlyFilterErrors(() => compileSort(input, compileOptions(false, false))),
    );
  });
});

describe('against Postgres', () => {
  let db: { client: pg.Client; drop: () => Promise<void> };
  beforeAll(async () => {
    db = await createFixtureDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('runs every generated expression without a database error', async () => {
    await runPropertyAsync(
      RUNS.postgres,
      (rng) => ({
        node: generateNode(rng, { fields: [...LOCAL_FIELDS, ...DB_FIELDS], maxDepth: 2, hostile: true }),
        hidden: rng.bool(),
      }),
      async ({ node, hidden }) => {
        let compiled: ReturnType<typeof compileFilter>;
        try {
          compiled = compileFilter(node, compileOptions(hidden, false));
        } catch (error) {
          if (error instanceof FilterError) return;
          throw error;
        }
        await matchingIds(db.client, 'posts', compiled.sql, compiled.params);
      },
    );
  });

  it('agrees with the in-memory evaluator on a generated corpus', async () => {
    let decided = 0;
    await runPropertyAsync(
      RUNS.agreement,
      (rng) => ({
        node: generateNode(rng, { fields: LOCAL_FIELDS, maxDepth: 2, hostile: true }),
        guest: rng.bool(0.2),
      }),
      async ({ node, guest }) => {
        let compiled: ReturnType<typeof compileFilter>;
        try {
          compiled = compileFilter(node, compileOptions(true, guest));
        } catch (error) {
          if (error instanceof FilterError) return;
          throw error;
        }
        const fromSql = await matchingIds(db.client, 'posts', compiled.sql, compiled.params);
        const answers = POST_IDS.map((id) =>
          evaluateFilter(node, {
            collection: posts,
            lookup,
            record: postRecord(id),
            request: guest ? GUEST_REQUEST : AUTH_REQUEST,
            allowHiddenFields: true,
            now: NOW,
          }),
        );
        if (answers.includes('unknown')) return;
        decided++;
        expect(POST_IDS.filter((_, i) => answers[i] === true)).toEqual(fromSql);
      },
    );
    // most of the corpus must actually be compared, or the property proves nothing
    expect(decided).toBeGreaterThan(RUNS.agreement * 0.5);
  });
});
