import type { ComparisonOperator, FilterNode, MacroName, Operand } from '../../src';
import { COMPARISON_OPERATORS, MACRO_NAMES } from '../../src';
import type { Rng } from './random';

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

export interface GeneratorOptions {
  fields: readonly string[];
  maxDepth: number;
  hostile: boolean;
}

function text(rng: Rng, hostile: boolean): string {
  if (hostile && rng.bool(0.2))
    return rng.string(['a', "'", '"', '\\', '%', '_', ' ', '$', '1', '\u0000', 'é', ';', '-'], 12);
  return rng.pick(HOSTILE_TEXTS);
}

function number(rng: Rng): number {
  return rng.pick([0, 1, 5, 10, -3, 250.5, 17, 41, 0.5, 1e20, -1e-7, rng.int(300) - 100]);
}

function operand(rng: Rng, options: GeneratorOptions): Operand {
  const roll = rng.next();
  if (roll < 0.45) return { type: 'field', name: rng.pick(options.fields), pos: 0 };
  if (roll < 0.65) return { type: 'text', value: text(rng, options.hostile), pos: 0 };
  if (roll < 0.8) return { type: 'number', value: number(rng), pos: 0 };
  if (roll < 0.86) return { type: 'bool', value: rng.bool(), pos: 0 };
  if (roll < 0.9) return { type: 'null', pos: 0 };
  if (roll < 0.95) return { type: 'macro', name: rng.pick(MACRO_NAMES) as MacroName, pos: 0 };
  if (rng.bool()) {
    return {
      type: 'call',
      name: 'geoDistance',
      args: [
        { type: 'field', name: 'location.lon', pos: 0 },
        { type: 'field', name: 'location.lat', pos: 0 },
        { type: 'number', value: number(rng), pos: 0 },
        { type: 'number', value: number(rng), pos: 0 },
      ],
      pos: 0,
    };
  }
  return {
    type: 'call',
    name: 'strftime',
    args: [
      { type: 'text', value: rng.pick(['%Y', '%Y-%m-%d', '%H:%M', '%j', 'x%%y']), pos: 0 },
      { type: 'field', name: 'publishedAt', pos: 0 },
      ...(rng.bool()
        ? [{ type: 'text' as const, value: rng.pick(['+1 day', '-2 months', 'start of year']), pos: 0 }]
        : []),
    ],
    pos: 0,
  };
}

export function generateNode(rng: Rng, options: GeneratorOptions, depth = 0): FilterNode {
  if (depth < options.maxDepth && rng.bool(0.35)) {
    const count = 2 + rng.int(3);
    const items: FilterNode[] = [];
    for (let i = 0; i < count; i++) items.push(generateNode(rng, options, depth + 1));
    return { type: 'logical', op: rng.bool() ? '&&' : '||', items };
  }
  return {
    type: 'comparison',
    op: rng.pick(COMPARISON_OPERATORS) as ComparisonOperator,
    any: rng.bool(0.3),
    left: operand(rng, options),
    right: operand(rng, options),
    pos: 0,
  };
}

/** The same tree with every literal value replaced by another one (for the shape property). */
export function replaceLiterals(node: FilterNode, rng: Rng): FilterNode {
  if (node.type === 'logical') return { ...node, items: node.items.map((item) => replaceLiterals(item, rng)) };
  const swap = (o: Operand): Operand => {
    if (o.type === 'text') return { ...o, value: text(rng, true) };
    if (o.type === 'number') return { ...o, value: number(rng) };
    if (o.type === 'call' && o.name === 'geoDistance') {
      return { ...o, args: o.args.map((a) => (a.type === 'number' ? { ...a, value: number(rng) } : a)) };
    }
    return o;
  };
  return { ...node, left: swap(node.left), right: swap(node.right) };
}

function quote(value: string, rng: Rng): string {
  const q = rng.bool() ? '"' : "'";
  // a string cannot end in a backslash in this grammar (it would escape the closing quote)
  const safe = value.endsWith('\\') ? `${value} ` : value;
  return `${q}${safe.split(q).join(`\\${q}`)}${q}`;
}

function operandText(o: Operand, rng: Rng): string {
  switch (o.type) {
    case 'field':
      return o.name;
    case 'text':
      return quote(o.value, rng);
    case 'number':
      return Number.isInteger(o.value) && Math.abs(o.value) < 1e15 ? String(o.value) : o.value.toFixed(3);
    case 'bool':
      return String(o.value);
    case 'null':
      return 'null';
    case 'macro':
      return o.name;
    case 'call':
      return `${o.name}(${o.args.map((a) => operandText(a, rng)).join(', ')})`;
  }
}

/** Serialises a tree back to filter text (random quotes, spacing and redundant parentheses). */
export function toFilterText(node: FilterNode, rng: Rng): string {
  if (node.type === 'logical') {
    const inner = node.items.map((item) => toFilterText(item, rng)).join(rng.bool() ? ` ${node.op} ` : node.op);
    return `(${inner})`;
  }
  const op = `${node.any ? '?' : ''}${node.op}`;
  const sp = rng.bool(0.8) ? ' ' : '';
  return `${operandText(node.left, rng)}${sp}${op}${sp}${operandText(node.right, rng)}`;
}
