import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompileOptions, compileFilter, compileSort, evaluateFilter, FilterError, parseFilter } from '../src';
import { createFixtureDatabase, lookup, matchingIds, posts } from '../src/testing/fixtures';
import { AUTH_REQUEST, GUEST_REQUEST, NOW, POST_IDS, postRecord } from './support/context';
import {
  BAD_FIELDS,
  DB_FIELDS,
  filterNode,
  filterNodeVariants,
  filterText,
  HOSTILE_TEXTS,
  hostileText,
  LOCAL_FIELDS,
  quote,
  SQL_MARKERS,
  sometimes,
} from './support/filter.arbitraries';

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

// Every property replays from HB_FUZZ_SEED; a failure prints the shrunk input, the seed and the
// path (pass both to `fc.assert` to replay just that case).
const FUZZ_SEED = Number(process.env.HB_FUZZ_SEED ?? 20240301);
if (!Number.isSafeInteger(FUZZ_SEED))
  throw new Error(`HB_FUZZ_SEED must be an integer, got "${process.env.HB_FUZZ_SEED}"`);
const fuzz = (numRuns: number) => ({ numRuns, seed: FUZZ_SEED });

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

/** Mostly the grammar's own characters, sometimes any code point. */
const parserChar = fc.oneof(
  { arbitrary: fc.constantFrom(...ALPHABET), weight: 9 },
  { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 },
);
const randomText = fc.oneof(
  { arbitrary: fc.string({ unit: parserChar, maxLength: 60, size: 'max' }), weight: 95 },
  { arbitrary: fc.string({ unit: parserChar, maxLength: 4000, size: 'max' }), weight: 5 },
);

const token = fc.oneof(
  { arbitrary: fc.constantFrom(...TOKENS), weight: 18 },
  { arbitrary: fc.constantFrom(...BAD_FIELDS, ...DB_FIELDS), weight: 1 },
  { arbitrary: fc.tuple(hostileText, fc.constantFrom<'"' | "'">('"', "'")).map(([t, q]) => quote(t, q)), weight: 1 },
);
const tokenSoup = fc.oneof(
  {
    arbitrary: fc
      .array(fc.tuple(token, sometimes(60)), { maxLength: 39, size: 'max' })
      .map((parts) => parts.map(([t, spaced]) => (spaced ? `${t} ` : t)).join('')),
    weight: 96,
  },
  {
    // deep (and unbalanced) nesting
    arbitrary: fc
      .tuple(fc.nat(1999), fc.nat(1999))
      .map(([open, close]) => `${'('.repeat(open)}a=1${')'.repeat(close)}`),
    weight: 2,
  },
  {
    // huge literals, also of quotes, backslashes and NUL
    arbitrary: fc
      .tuple(fc.nat(3999), fc.constantFrom('x', '€', '\\', "'", '"', '\u0000', 'é'))
      .map(([n, c]) => `a = "${c.repeat(n)}"`),
    weight: 2,
  },
);

const SORT_PARTS = [
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
const sortText = fc
  .tuple(
    fc.array(
      fc.oneof(
        { arbitrary: fc.constantFrom(...SORT_PARTS), weight: 9 },
        { arbitrary: fc.constantFrom(...HOSTILE_TEXTS), weight: 1 },
      ),
      { maxLength: 9 },
    ),
    fc.constantFrom(',', ', ', ',,'),
  )
  .map(([parts, sep]) => parts.join(sep));

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
    fc.assert(
      fc.property(randomText, (input) => expectOnlyFilterErrors(() => parseFilter(input))),
      fuzz(RUNS.randomText),
    );
  });

  it('never crashes on token soup, deep nesting and huge literals', () => {
    fc.assert(
      fc.property(tokenSoup, (input) => expectOnlyFilterErrors(() => parseFilter(input))),
      fuzz(RUNS.tokenSoup),
    );
  });

  it('parses what it serialises (round trip of generated trees)', () => {
    fc.assert(
      fc.property(filterText({ fields: LOCAL_FIELDS, maxDepth: 3 }), (input) => {
        if (input.length > 3500) return;
        const first = parseFilter(input);
        expect(JSON.stringify(parseFilter(input))).toBe(JSON.stringify(first));
      }),
      fuzz(RUNS.roundTrip),
    );
  });
});

describe('compiler fuzz', () => {
  const everyField = [...LOCAL_FIELDS, ...DB_FIELDS, ...BAD_FIELDS];

  it('never lets a value or an unknown name into the SQL text', () => {
    fc.assert(
      fc.property(
        filterNode({ fields: everyField, maxDepth: 3, hostileNames: true }),
        fc.boolean(),
        sometimes(20),
        (node, hidden, guest) =>
          expectOnlyFilterErrors(() => {
            const { sql, params } = compileFilter(node, compileOptions(hidden, guest));
            for (const marker of SQL_MARKERS) expect(sql).not.toContain(marker);
            // every value is a parameter and every parameter is used
            const used = new Set([...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
            expect([...used].sort((a, b) => a - b)).toEqual(params.map((_, i) => i + 1));
          }),
      ),
      fuzz(RUNS.compile),
    );
  });

  it('gives SQL whose shape does not depend on literal values', () => {
    fc.assert(
      fc.property(filterNodeVariants({ fields: [...LOCAL_FIELDS, ...DB_FIELDS], maxDepth: 3 }), ({ node, variant }) => {
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
      }),
      fuzz(RUNS.shape),
    );
  });

  it('never crashes on random sort parameters', () => {
    fc.assert(
      fc.property(sortText, (input) => expectOnlyFilterErrors(() => compileSort(input, compileOptions(false, false)))),
      fuzz(RUNS.sort),
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
    await fc.assert(
      fc.asyncProperty(
        filterNode({ fields: [...LOCAL_FIELDS, ...DB_FIELDS], maxDepth: 2, hostileNames: true }),
        fc.boolean(),
        async (node, hidden) => {
          let compiled: ReturnType<typeof compileFilter>;
          try {
            compiled = compileFilter(node, compileOptions(hidden, false));
          } catch (error) {
            if (error instanceof FilterError) return;
            throw error;
          }
          await matchingIds(db.client, 'posts', compiled.sql, compiled.params);
        },
      ),
      fuzz(RUNS.postgres),
    );
  });

  it('agrees with the in-memory evaluator on a generated corpus', async () => {
    let decided = 0;
    await fc.assert(
      fc.asyncProperty(filterNode({ fields: LOCAL_FIELDS, maxDepth: 2 }), sometimes(20), async (node, guest) => {
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
      }),
      fuzz(RUNS.agreement),
    );
    // most of the corpus must actually be compared, or the property proves nothing
    expect(decided).toBeGreaterThan(RUNS.agreement * 0.5);
  });
});
