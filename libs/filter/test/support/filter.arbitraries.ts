import fc from 'fast-check';
import type { ComparisonNode, FilterNode, LogicalNode, Operand } from '../../src';
import { COMPARISON_OPERATORS, MACRO_NAMES } from '../../src';

// fast-check arbitraries for the filter fuzz suite. Trees are built with `fc.letrec` and every
// choice is an arbitrary (no hidden randomness), so a failure shrinks to a small tree or text.

/** Values meant to break naive SQL building: quotes, comments, placeholders, NUL, LIKE specials. */
export const HOSTILE_TEXTS = [
  '',
  ' ',
  "'",
  '"',
  "'; DROP TABLE posts; --",
  '" OR 1=1 --',
  '$1',
  '$$',
  '\u0000',
  'a\u0000b',
  '%',
  '_',
  '\\',
  '\\%',
  '%\\',
  '100%',
  'go',
  'Node',
  'Hello World',
  'nice',
  'a',
  'c',
  'x',
  '5',
  '10',
  '-3',
  '2024-03-01',
  '2024-03-01 10:00:00.000Z',
  'true',
  'null',
  '[]',
  '["a","b"]',
  '€𝄞',
  '\uD800',
  '*/ SELECT pg_sleep(10) /*',
  ')) OR ((1=1',
  'u1',
];

/** Fields the in-memory evaluator decides without the database. */
export const LOCAL_FIELDS = [
  'id',
  'title',
  'title:lower',
  'views',
  'published',
  'author',
  'author.id',
  'status',
  'status:each',
  'status:length',
  'labels',
  'labels:each',
  'labels:length',
  'tags:length',
  'attachments:length',
  'meta',
  'meta.n',
  'meta.a.b',
  'meta.s',
  'meta.flag',
  'location.lat',
  'location.lon',
  'publishedAt',
  'secret',
  '@request.auth.id',
  '@request.auth.email',
  '@request.auth.role',
  '@request.auth.age',
  '@request.body.title',
  '@request.body.views',
  '@request.body.labels:each',
  '@request.body.labels:length',
  '@request.body.title:changed',
  '@request.body.title:isset',
  '@request.body.missing',
  '@request.query.page',
  '@request.headers.x_token',
  '@request.method',
];

export const DB_FIELDS = [
  'author.name',
  'author.age',
  'tags.name',
  'tags.weight',
  'comments_via_post.message',
  'comments_via_post.author.name',
  '@collection.tags.weight',
  '@collection.tags:t.name',
  '@collection.comments.post',
  '@request.body.tags.name',
];

export const BAD_FIELDS = [
  'nope',
  'title"--',
  'posts.id',
  'x y',
  'author.nope',
  'title:nope',
  '@request',
  '@collection.x',
];

/** Text that must never reach the SQL text (values and names carrying it are bound or rejected). */
export const SQL_MARKERS = ['DROP', 'pg_sleep', '1=1', '€', '\u0000', '"--', 'x y'];

const HOSTILE_CHARS = ['a', "'", '"', '\\', '%', '_', ' ', '$', '1', '\u0000', 'é', ';', '-', '\uD800', '𝄞'];

/** One code point anywhere in Unicode (fast-check's `binary` unit). */
const anyCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });

/** `true` with probability `percent`/100; shrinks to `false`. */
export const sometimes = (percent: number): fc.Arbitrary<boolean> =>
  fc.oneof({ arbitrary: fc.constant(false), weight: 100 - percent }, { arbitrary: fc.constant(true), weight: percent });

/** Text literals: the known-hostile list, or strings of hostile characters, fragments and any code point. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_TEXTS), weight: 16 },
  { arbitrary: fc.string({ unit: fc.constantFrom(...HOSTILE_CHARS), maxLength: 12, size: 'max' }), weight: 2 },
  {
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...HOSTILE_TEXTS), anyCodePoint, fc.constantFrom(...HOSTILE_CHARS)), {
        maxLength: 4,
      })
      .map((parts) => parts.join('')),
    weight: 2,
  },
);

// Written as `toFixed(3)` when not a small integer, so it must stay below 1e21 (no exponent form).
const numberValue: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.constantFrom(0, 1, 5, 10, -3, 250.5, 17, 41, 0.5, 1e20, -1e-7), weight: 8 },
  { arbitrary: fc.integer({ min: -100, max: 199 }), weight: 3 },
  { arbitrary: fc.double({ min: -1e20, max: 1e20, noNaN: true }), weight: 1 },
);

const NAME_PREFIXES = [
  '',
  'title',
  'meta.',
  'author.',
  'tags.',
  '@request.body.',
  '@request.query.',
  '@request.headers.',
  '@request.auth.',
  '@collection.',
  '@collection.tags.',
  '@collection.tags:',
];

/** Names with SQL fragments, spaces, NUL and any code point, after a real or made-up prefix. */
const hostileFieldName: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...NAME_PREFIXES),
    fc.oneof(
      fc.constantFrom(...HOSTILE_TEXTS, ...BAD_FIELDS, ':each', ':length', '.', 'x.'),
      fc.string({ unit: fc.oneof(fc.constantFrom(...HOSTILE_CHARS), anyCodePoint), maxLength: 8 }),
    ),
  )
  .map(([prefix, rest]) => `${prefix}${rest}`);

export interface ExpressionOptions {
  fields: readonly string[];
  /** Nesting levels of `&&`/`||` groups above the comparisons. */
  maxDepth: number;
  /** Also make up field names carrying SQL fragments (the compiler must reject or bind them). */
  hostileNames?: boolean;
  /** Text literals drawn mostly from these (e.g. values stored in the fixture), else hostile ones. */
  texts?: readonly string[];
  /** false: no geoDistance/strftime calls (their field names exist only in the posts fixture). */
  functions?: boolean;
}

const OPERAND_WEIGHTS = {
  field: 90,
  text: 40,
  number: 30,
  bool: 12,
  null: 8,
  macro: 10,
  geoDistance: 5,
  strftime: 5,
} as const;
type OperandKind = keyof typeof OPERAND_WEIGHTS;

function weightedOperand<T>(byKind: Record<OperandKind, fc.Arbitrary<T>>, functions = true): fc.Arbitrary<T> {
  const kinds = (Object.keys(OPERAND_WEIGHTS) as OperandKind[]).filter(
    (kind) => functions || (kind !== 'geoDistance' && kind !== 'strftime'),
  );
  // fields come first: shrinking falls back to the first arbitrary
  return fc.oneof(
    { withCrossShrink: true },
    ...kinds.map((kind) => ({ arbitrary: byKind[kind], weight: OPERAND_WEIGHTS[kind] })),
  );
}

function operandsByKind(options: ExpressionOptions): Record<OperandKind, fc.Arbitrary<Operand>> {
  const name = options.hostileNames
    ? fc.oneof({ arbitrary: fc.constantFrom(...options.fields), weight: 9 }, { arbitrary: hostileFieldName, weight: 1 })
    : fc.constantFrom(...options.fields);
  return {
    field: name.map((n): Operand => ({ type: 'field', name: n, pos: 0 })),
    text: (options.texts
      ? fc.oneof({ arbitrary: fc.constantFrom(...options.texts), weight: 4 }, { arbitrary: hostileText, weight: 1 })
      : hostileText
    ).map((value): Operand => ({ type: 'text', value, pos: 0 })),
    number: numberValue.map((value): Operand => ({ type: 'number', value, pos: 0 })),
    bool: fc.boolean().map((value): Operand => ({ type: 'bool', value, pos: 0 })),
    null: fc.constant<Operand>({ type: 'null', pos: 0 }),
    macro: fc.constantFrom(...MACRO_NAMES).map((macro): Operand => ({ type: 'macro', name: macro, pos: 0 })),
    geoDistance: fc.tuple(numberValue, numberValue).map(
      ([lon, lat]): Operand => ({
        type: 'call',
        name: 'geoDistance',
        args: [
          { type: 'field', name: 'location.lon', pos: 0 },
          { type: 'field', name: 'location.lat', pos: 0 },
          { type: 'number', value: lon, pos: 0 },
          { type: 'number', value: lat, pos: 0 },
        ],
        pos: 0,
      }),
    ),
    strftime: fc
      .tuple(
        fc.constantFrom('%Y', '%Y-%m-%d', '%H:%M', '%j', 'x%%y'),
        fc.option(fc.constantFrom('+1 day', '-2 months', 'start of year'), { freq: 2, nil: null }),
      )
      .map(
        ([format, modifier]): Operand => ({
          type: 'call',
          name: 'strftime',
          args: [
            { type: 'text', value: format, pos: 0 },
            { type: 'field', name: 'publishedAt', pos: 0 },
            ...(modifier === null ? [] : [{ type: 'text' as const, value: modifier, pos: 0 }]),
          ],
          pos: 0,
        }),
      ),
  };
}

type LogicalOp = LogicalNode['op'];

/**
 * `&&`/`||` groups of 2–4 items over `leaf`, at most `maxDepth` groups deep (35 % groups at each
 * level above that). `combine` builds a group; `compact` is a free choice for serialisers.
 */
function logicalTree<T>(
  leaf: fc.Arbitrary<T>,
  maxDepth: number,
  combine: (op: LogicalOp, items: T[], compact: boolean) => T,
): fc.Arbitrary<T> {
  return fc.letrec<{ node: T }>((tie) => ({
    node: fc.oneof(
      // depthSize 'max': the same odds at every level; the cap is maxDepth
      { maxDepth, depthSize: 'max', withCrossShrink: true },
      { arbitrary: leaf, weight: 65 },
      {
        arbitrary: fc
          .tuple(
            fc.constantFrom<LogicalOp>('&&', '||'),
            fc.array(tie('node'), { minLength: 2, maxLength: 4 }),
            fc.boolean(),
          )
          .map(([op, items, compact]) => combine(op, items, compact)),
        weight: 35,
      },
    ),
  })).node;
}

const comparisonShape = fc.tuple(fc.constantFrom(...COMPARISON_OPERATORS), sometimes(30));

/** Filter trees as the parser would build them (positions are 0). */
export function filterNode(options: ExpressionOptions): fc.Arbitrary<FilterNode> {
  const operand = weightedOperand(operandsByKind(options), options.functions);
  const comparison = fc
    .tuple(comparisonShape, operand, operand)
    .map(([[op, any], left, right]): FilterNode => ({ type: 'comparison', op, any, left, right, pos: 0 }));
  return logicalTree(comparison, options.maxDepth, (op, items): FilterNode => ({ type: 'logical', op, items }));
}

/**
 * Two trees of the same shape whose text and number literals (also geoDistance's coordinates) are
 * drawn independently; fields, macros, booleans, nulls and strftime calls are shared.
 */
export function filterNodeVariants(
  options: ExpressionOptions,
): fc.Arbitrary<{ node: FilterNode; variant: FilterNode }> {
  const k = operandsByKind(options);
  const same = (arb: fc.Arbitrary<Operand>) => arb.map((o): [Operand, Operand] => [o, o]);
  const operandPair = weightedOperand<[Operand, Operand]>({
    field: same(k.field),
    text: fc.tuple(k.text, k.text),
    number: fc.tuple(k.number, k.number),
    bool: same(k.bool),
    null: same(k.null),
    macro: same(k.macro),
    geoDistance: fc.tuple(k.geoDistance, k.geoDistance),
    strftime: same(k.strftime),
  });
  const comparison = fc
    .tuple(comparisonShape, operandPair, operandPair)
    .map(([[op, any], [leftA, leftB], [rightA, rightB]]): [FilterNode, FilterNode] => {
      const base = { type: 'comparison', op, any, pos: 0 } as const satisfies Partial<ComparisonNode>;
      return [
        { ...base, left: leftA, right: rightA },
        { ...base, left: leftB, right: rightB },
      ];
    });
  return logicalTree(comparison, options.maxDepth, (op, items): [FilterNode, FilterNode] => [
    { type: 'logical', op, items: items.map(([a]) => a) },
    { type: 'logical', op, items: items.map(([, b]) => b) },
  ]).map(([node, variant]) => ({ node, variant }));
}

type Quote = '"' | "'";

/** A quoted literal; only `\<quote>` is an escape, so a trailing backslash gets a space after it. */
export function quote(value: string, q: Quote): string {
  const safe = value.endsWith('\\') ? `${value} ` : value;
  return `${q}${safe.split(q).join(`\\${q}`)}${q}`;
}

function operandText(o: Operand, q: Quote): string {
  switch (o.type) {
    case 'field':
      return o.name;
    case 'text':
      return quote(o.value, q);
    case 'number':
      return Number.isInteger(o.value) && Math.abs(o.value) < 1e15 ? String(o.value) : o.value.toFixed(3);
    case 'bool':
      return String(o.value);
    case 'null':
      return 'null';
    case 'macro':
      return o.name;
    case 'call':
      return `${o.name}(${o.args.map((a) => operandText(a, q)).join(', ')})`;
  }
}

const quoteChar = fc.constantFrom<Quote>('"', "'");

/** Filter text of generated trees, with either quote, optional spacing and parenthesised groups. */
export function filterText(options: ExpressionOptions): fc.Arbitrary<string> {
  const operand = fc.tuple(weightedOperand(operandsByKind(options)), quoteChar).map(([o, q]) => operandText(o, q));
  const comparison = fc
    .tuple(comparisonShape, operand, operand, sometimes(20))
    .map(([[op, any], left, right, tight]) => {
      const sp = tight ? '' : ' ';
      return `${left}${sp}${any ? '?' : ''}${op}${sp}${right}`;
    });
  return logicalTree(comparison, options.maxDepth, (op, items, compact) => `(${items.join(compact ? op : ` ${op} `)})`);
}
