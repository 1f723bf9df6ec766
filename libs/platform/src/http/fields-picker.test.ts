import { describe, expect, it } from 'vitest';
import { FieldsParamError, parseFieldsParam, pickFields } from './fields-picker';

const pick = (data: unknown, fields: string) => JSON.stringify(pickFields(data, parseFieldsParam(fields)));

const listOf = (items: unknown[]) => ({ page: 1, perPage: 10, totalItems: 20, totalPages: 30, items });

// The scenarios of PocketBase's tools/picker/pick_test.go, with its expected (key-sorted) JSON.
describe('pickFields, PocketBase scenarios', () => {
  it.each([
    ['empty fields', { a: 1, b: 2, c: 'test' }, '', '{"a":1,"b":2,"c":"test"}'],
    ['missing fields', { a: 1, b: 2, c: 'test' }, 'missing', '{}'],
    ['non map data', 'test', 'a,b,test', '"test"'],
    ['non slice of map data', ['a', 'b', 'test'], 'a,test', '["a","b","test"]'],
    ['map with existing and missing fields', { a: 1, b: 2, c: 'test' }, 'a,  c  ,missing', '{"a":1,"c":"test"}'],
    [
      'slice of maps with existing and missing fields',
      [
        { a: 11, b: 11, c: 'test1' },
        { a: 22, b: 22, c: 'test2' },
      ],
      'a,  c  ,missing',
      '[{"a":11,"c":"test1"},{"a":22,"c":"test2"}]',
    ],
    [
      'nested fields with mixed map and any slices',
      {
        a: 1,
        b: 2,
        c: 'test',
        anySlice: [{ A: [1, 2, 3], B: ['1', '2', 3], C: 'test', D: { DA: 1, DB: 2 } }, { A: 'test' }],
        mapSlice: [
          { A: [1, 2, 3], B: ['1', '2', 3], C: 'test', D: [{ DA: 1 }] },
          { B: ['1', '2', 3], D: [{ DA: 2 }, { DA: 3 }, { DB: 4 }] },
        ],
        fullMap: [
          { A: [1, 2, 3], B: ['1', '2', 3], C: 'test' },
          { B: ['1', '2', 3], D: [{ DA: 2 }, { DA: 3 }] },
        ],
      },
      'a, c, anySlice.A, mapSlice.C, mapSlice.D.DA, anySlice.D,fullMap',
      '{"a":1,"anySlice":[{"A":[1,2,3],"D":{"DA":1,"DB":2}},{"A":"test"}],"c":"test",' +
        '"fullMap":[{"A":[1,2,3],"B":["1","2",3],"C":"test"},{"B":["1","2",3],"D":[{"DA":2},{"DA":3}]}],' +
        '"mapSlice":[{"C":"test","D":[{"DA":1}]},{"D":[{"DA":2},{"DA":3},{}]}]}',
    ],
    [
      'search result',
      listOf([
        { a: 11, b: 11, c: 'test1' },
        { a: 22, b: 22, c: 'test2' },
      ]),
      'a,c,missing',
      '{"items":[{"a":11,"c":"test1"},{"a":22,"c":"test2"}],"page":1,"perPage":10,"totalItems":20,"totalPages":30}',
    ],
    [
      'root wildcard',
      listOf([
        { a: 11, b: 11, c: 'test1' },
        { a: 22, b: 22, c: 'test2' },
      ]),
      '*',
      '{"items":[{"a":11,"b":11,"c":"test1"},{"a":22,"b":22,"c":"test2"}],"page":1,"perPage":10,"totalItems":20,"totalPages":30}',
    ],
    [
      'root wildcard with nested exception',
      { id: '123', title: 'lorem', rel: { id: '456', title: 'rel_title' } },
      '*,rel.id',
      '{"id":"123","rel":{"id":"456"},"title":"lorem"}',
    ],
    [
      'sub wildcard',
      { id: '123', title: 'lorem', rel: { id: '456', title: 'rel_title', sub: { id: '789', title: 'sub_title' } } },
      'id,rel.*',
      '{"id":"123","rel":{"id":"456","sub":{"id":"789","title":"sub_title"},"title":"rel_title"}}',
    ],
    [
      'sub wildcard with nested exception',
      { id: '123', title: 'lorem', rel: { id: '456', title: 'rel_title', sub: { id: '789', title: 'sub_title' } } },
      'id,rel.*,rel.sub.id',
      '{"id":"123","rel":{"id":"456","sub":{"id":"789"},"title":"rel_title"}}',
    ],
    [
      'valid excerpt modifier',
      {
        id: '123',
        title: 'lorem',
        rel: { id: '456', title: '<p>rel_title</p>', sub: { id: '789', title: 'sub_title' } },
      },
      '*:excerpt(2),rel.title:excerpt(3, true)',
      '{"id":"12","rel":{"title":"rel..."},"title":"lo"}',
    ],
  ])('%s', (_name, data, fields, expected) => {
    expect(pick(data, fields)).toBe(expected);
  });
});

describe('pickFields', () => {
  it.each([
    [
      'a dot path into expand',
      { id: 'r1', expand: { author: { id: 'u1', name: 'Ann', email: 'a@x' } } },
      'expand.author.name',
      '{"expand":{"author":{"name":"Ann"}}}',
    ],
    [
      'a dot path into an expanded array',
      {
        expand: {
          tags: [
            { id: 't1', name: 'x' },
            { id: 't2', name: 'y' },
          ],
        },
      },
      'expand.tags.id',
      '{"expand":{"tags":[{"id":"t1"},{"id":"t2"}]}}',
    ],
    [
      'a whole path wins over a deeper one',
      { rel: { id: '1', title: 't' } },
      'rel.id,rel',
      '{"rel":{"id":"1","title":"t"}}',
    ],
    ['a dot path into a scalar keeps the scalar', { title: 'hello', n: 1 }, 'title.x', '{"title":"hello"}'],
    [
      'a key holding dots matches the path through it',
      { 'a.b': 1, a: { b: 2, c: 3 }, d: 4 },
      'a.b',
      '{"a":{"b":2},"a.b":1}',
    ],
    ['a literal `*` key beside the wildcard', { '*': 1, a: 2 }, '*', '{"*":1,"a":2}'],
    ['`*.x` is a path through a key named `*`, not a wildcard', { '*': { x: 1, y: 2 }, a: 2 }, '*.x', '{"*":{"x":1}}'],
    ['an array whose first item is not an object is left alone', [1, { a: 1, b: 2 }], 'a', '[1,{"a":1,"b":2}]'],
    ['non-object items after an object are left alone', [{ a: 1, b: 2 }, 3, null], 'a', '[{"a":1},3,null]'],
    ['nested arrays are left alone', { m: [[{ a: 1, b: 2 }]] }, 'm.a', '{"m":[[{"a":1,"b":2}]]}'],
    ['null and numbers pass through', { a: null, b: 2, c: 3 }, 'a,b', '{"a":null,"b":2}'],
    [
      'modifiers skip non-strings',
      { a: 12345, b: { c: 'xyz' }, d: ['abc'] },
      '*:excerpt(2)',
      '{"a":12345,"b":{"c":"xyz"},"d":["abc"]}',
    ],
    ['the last of a repeated path wins', { a: 'abcdef' }, 'a:excerpt(2),a', '{"a":"abcdef"}'],
    [
      'a wildcard modifier leaves named keys to their own',
      { a: 'abcdef', b: 'abcdef' },
      '*:excerpt(2),a',
      '{"a":"abcdef","b":"ab"}',
    ],
    [
      'an object with more than the list keys is not a list',
      { ...listOf([{ a: 1 }]), extra: true },
      'page',
      '{"page":1}',
    ],
    [
      'a list keeps its envelope whatever is asked',
      listOf([{ a: 1 }]),
      'page,items',
      '{"items":[{}],"page":1,"perPage":10,"totalItems":20,"totalPages":30}',
    ],
    [
      'a list page with no items',
      listOf([]),
      'a',
      '{"items":[],"page":1,"perPage":10,"totalItems":20,"totalPages":30}',
    ],
    [
      'the auth-methods query the SDK sends',
      {
        password: { enabled: true },
        oauth2: { enabled: false },
        mfa: {},
        otp: {},
        authProviders: [],
        usernamePassword: true,
      },
      'mfa,otp,password,oauth2',
      '{"mfa":{},"oauth2":{"enabled":false},"otp":{},"password":{"enabled":true}}',
    ],
    // Go's tokenizer splits on commas only, then trims each field; the name is not trimmed again.
    ['a space before the modifier stays in the name', { title: 'abc' }, 'title :excerpt(2)', '{}'],
    ['spaces are not separators', { a: 1, b: 2 }, 'a b', '{}'],
    ['empty fields between commas are skipped', { a: 1, b: 2 }, ',,a,, ,', '{"a":1}'],
    ['only commas change nothing', { b: 1, a: 2 }, ',,,', '{"b":1,"a":2}'],
    ['quoted commas stay in one field', { 'a,b': 1, a: 2 }, '"a,b"', '{}'],
    ['input after a NUL is ignored, as Go reads it', { a: 1, b: 2 }, 'a\0,b', '{"a":1}'],
  ])('%s', (_name, data, fields, expected) => {
    expect(pick(data, fields)).toBe(expected);
  });

  it('works on the JSON form and leaves the value alone', () => {
    const created = new Date('2024-01-02T03:04:05.000Z');
    const value = { a: { b: 1, c: 2 }, created, gone: undefined, fn: () => 1 };
    const picked = pickFields(value, parseFieldsParam('a.b,created,gone,fn'));
    expect(picked).toEqual({ a: { b: 1 }, created: '2024-01-02T03:04:05.000Z' });
    expect(value.a).toEqual({ b: 1, c: 2 });
  });

  it('sorts object keys as Go writes maps', () => {
    const picked = pickFields({ z: 1, a: { y: 1, b: 2 }, m: 3 }, parseFieldsParam('*'));
    expect(JSON.stringify(picked)).toBe('{"a":{"b":2,"y":1},"m":3,"z":1}');
  });

  it('returns the value itself when nothing is asked', () => {
    const value = { b: 1, a: 2 };
    expect(pickFields(value, parseFieldsParam(''))).toBe(value);
    expect(pickFields(undefined, parseFieldsParam('a'))).toBeUndefined();
  });

  it('keeps a `__proto__` key as data', () => {
    const data = JSON.parse('{"__proto__":{"x":1,"y":2},"a":1}');
    const picked = pickFields(data, parseFieldsParam('__proto__.x'));
    expect(JSON.stringify(picked)).toBe('{"__proto__":{"x":1}}');
    expect(Object.getPrototypeOf(picked)).toBe(Object.prototype);
  });
});

describe('parseFieldsParam', () => {
  it('builds a tree of dot paths with their modifiers', () => {
    const tree = parseFieldsParam(' id , expand.author.name:excerpt(10, true),expand.author.id ');
    expect([...tree.children.keys()]).toEqual(['id', 'expand']);
    expect(tree.children.get('id')?.selected).toEqual({ modifier: null });
    const author = tree.children.get('expand')?.children.get('author');
    expect(author?.selected).toBeNull();
    expect(author?.children.get('name')?.selected).toEqual({
      modifier: { kind: 'excerpt', max: 10, withEllipsis: true },
    });
  });

  // PocketBase's excerpt_modifier_test.go (TestNewExcerptModifier), plus the modifier syntax.
  it.each([
    ['excerpt(12)', { max: 12, withEllipsis: false }],
    ['excerpt(12, something)', { max: 12, withEllipsis: false }],
    ['excerpt(12, t)', { max: 12, withEllipsis: true }],
    ['excerpt(12,1)', { max: 12, withEllipsis: true }],
    ['excerpt(12, TRUE)', { max: 12, withEllipsis: true }],
    ['excerpt(12, yes)', { max: 12, withEllipsis: false }],
    ['excerpt(12.0)', { max: 12, withEllipsis: false }],
    ['excerpt 12 true', { max: 12, withEllipsis: true }],
    ['excerpt((12)),,', { max: 12, withEllipsis: false }],
    ['excerpt(3):x', { max: 3, withEllipsis: false }],
    ['excerpt(99999999999999999999)', { max: Number.MAX_SAFE_INTEGER, withEllipsis: false }],
  ])('reads a:%s', (modifier, expected) => {
    expect(parseFieldsParam(`a:${modifier}`).children.get('a')?.selected?.modifier).toEqual({
      kind: 'excerpt',
      ...expected,
    });
  });

  it.each([
    ['*:excerpt', 'invalid_modifier_arguments'],
    ['a:excerpt()', 'invalid_modifier_arguments'],
    ['a:excerpt(12, false, something)', 'invalid_modifier_arguments'],
    ['a:excerpt(something)', 'invalid_modifier_arguments'],
    ['a:excerpt(0)', 'invalid_modifier_arguments'],
    ['a:excerpt(-5)', 'invalid_modifier_arguments'],
    ['a:excerpt(1.5)', 'invalid_modifier_arguments'],
    ["a:excerpt('3')", 'invalid_modifier_arguments'],
    ['a:', 'invalid_modifier'],
    ['a:Excerpt(3)', 'invalid_modifier'],
    ['a:upper', 'invalid_modifier'],
    ['a:excerpt(3', 'unbalanced_expression'],
    ['a(', 'unbalanced_expression'],
    ["a'b", 'unbalanced_expression'],
    ['a,"b', 'unbalanced_expression'],
    ['a:excerpt(3, "x)', 'unbalanced_expression'],
  ])('refuses %s', (fields, code) => {
    expect(() => parseFieldsParam(fields)).toThrow(FieldsParamError);
    try {
      parseFieldsParam(fields);
    } catch (error) {
      expect((error as FieldsParamError).code).toBe(code);
      expect((error as FieldsParamError).message).toMatch(/^[A-Z].*\.$/);
    }
  });

  it.each([
    ['a)', 'a)'],
    ['a\\(', 'a\\('],
    ['a\\"', 'a\\"'],
    ['`a,b`', '`a,b`'],
  ])('accepts %s as PocketBase does', (fields, key) => {
    expect([...parseFieldsParam(fields).children.keys()]).toEqual([key]);
  });
});

// PocketBase's excerpt_modifier_test.go (TestExcerptModifierModify).
describe('excerpt', () => {
  const html =
    ' <script>var a = 123;</script>   <p>Hello</p><div id="test_id">t   est<b>12\n\t3</b><span>456</span></div>' +
    '<span>word <b>7</b> 89<span>!<b>?</b><b> a </b><b>b </b>c</span>#<h1>title</h1>';
  const plainText = 'Hello t est12 3456 word 7 89!? a b c# title';
  const excerptOf = (value: unknown, args: string) =>
    (pickFields({ v: value }, parseFieldsParam(`v:excerpt(${args})`)) as { v: unknown }).v;

  it.each([
    ['only max < len(plainText)', '2', html, plainText.slice(0, 2)],
    ['only max = len(plainText)', `${plainText.length}`, html, plainText],
    ['only max > len(plainText)', `${plainText.length + 5}`, html, plainText],
    ['with ellipsis and max < len(plainText)', '2, t', html, `${plainText.slice(0, 2)}...`],
    ['with ellipsis and max = len(plainText)', `${plainText.length}, t`, html, plainText],
    ['with ellipsis and max > len(plainText)', `${plainText.length + 5}, t`, html, plainText],
    ['multibyte chars <= max', '4, t', 'аб\nв ', 'аб в'],
    ['multibyte chars > max', '3, t', 'аб\nв ', 'аб...'],
    // Beyond PocketBase's own cases.
    ['astral characters count as one', '3, t', '😀😁😂🤣', '😀😁😂...'],
    ['the cut is trimmed before the ellipsis', '6, true', 'Hello world', 'Hello...'],
    [
      'character references are decoded',
      '100',
      '<p>Tom &amp; Jerry&nbsp;&lt;3 &#8211; &#x1F600; &eacute;&unknown;</p>',
      'Tom & Jerry\u00a0<3 – 😀 é&unknown;',
    ],
    ['a no-break space is not collapsed but is trimmed', '100', '&nbsp;a&nbsp;&nbsp;b&nbsp;', 'a\u00a0\u00a0b'],
    [
      'comments, doctypes and processing instructions vanish',
      '100',
      '<!DOCTYPE html><?xml x?>a<!-- <p>b</p> -->c<!---->d',
      'acd',
    ],
    [
      'excluded elements vanish with their content',
      '100',
      'a<form><p>b</p><select><option>c</option></select></form><img src=x alt=y>d',
      'ad',
    ],
    [
      'raw text is not parsed as tags',
      '100',
      '<p>a</p><script>if (1 < 2) { x = "</p>"; }</script><style>p>b{}</style><p>c</p>',
      'a c',
    ],
    [
      'a leading title is in the head, a later one in the body',
      '100',
      '<title>T1</title><meta charset=utf-8><p>x</p><title>T2 &amp;</title>',
      'x T2 &',
    ],
    ['quoted attribute values may hold >', '100', '<a title="1 > 2" href=\'>\'>link</a> text', 'link text'],
    [
      'inline elements join, blocks and <hr> separate',
      '100',
      'a<br>b<hr>c<li>d</li><li>e</li><em>f</em>',
      'ab c d e f',
    ],
    ['a stray < and unknown end tags are text or nothing', '100', 'a < b</x> c <3', 'a < b c <3'],
    ['an unterminated tag drops the rest', '100', 'abc<p class="x', 'abc'],
    ['an unterminated comment drops the rest', '100', 'abc<!-- x', 'abc'],
    ['CRLF and tabs collapse', '100', 'a\r\n\t b', 'a b'],
    ['an empty string stays empty', '5, t', '', ''],
    ['whitespace only gives an empty string', '5, t', ' \n <p> </p> ', ''],
  ])('%s', (_name, args, value, expected) => {
    expect(excerptOf(value, args)).toBe(expected);
  });
});

// Hostile input must be handled, not hang: a catastrophic (exponential) blow-up would run into the
// generous timeout. No wall-clock assertion: CI machines run many suites at once.
describe('hostile input', { timeout: 30_000 }, () => {
  const survives = (run: () => void) => run();

  it('10 000 commas pick nothing away', () => {
    survives(() => expect(pick({ a: 1 }, ','.repeat(10_000))).toBe('{"a":1}'));
  });

  it('10 000 fields', () => {
    const fields = Array.from({ length: 10_000 }, (_, i) => `f${i}.x`).join(',');
    survives(() => expect(pick({ f1: { x: 1, y: 2 }, g: 1 }, fields)).toBe('{"f1":{"x":1}}'));
  });

  it('a path 1 000 keys deep into data as deep', () => {
    let data: unknown = { leaf: 1, other: 2 };
    for (let i = 0; i < 1_000; i++) data = { k: data, other: i };
    const fields = `${'k.'.repeat(1_000)}leaf`;
    survives(() => {
      let picked = pickFields(data, parseFieldsParam(fields));
      for (let i = 0; i < 1_000; i++) picked = (picked as { k: unknown }).k;
      expect(picked).toEqual({ leaf: 1 });
    });
  });

  it('a path 10 000 keys deep into shallow data', () => {
    survives(() => expect(pick({ k: { k: 1, x: 2 }, y: 3 }, `${'k.'.repeat(10_000)}k`)).toBe('{"k":{"k":1}}'));
  });

  it('a path of 10 000 dots', () => {
    survives(() => expect(pick({ a: 1 }, '.'.repeat(10_000))).toBe('{}'));
  });

  it('unbalanced input of 10 000 parentheses or quotes is refused, not looped on', () => {
    survives(() => {
      expect(() => parseFieldsParam('('.repeat(10_000))).toThrow(FieldsParamError);
      expect(() => parseFieldsParam(`a:excerpt(${'"'.repeat(9_999)})`)).toThrow(FieldsParamError);
    });
  });

  it.each([
    ['many <', '<'.repeat(100_000)],
    ['many <a', '<a '.repeat(50_000)],
    ['many comments openers', '<!--'.repeat(50_000)],
    ['many unclosed elements', '<div>x'.repeat(20_000)],
    ['many unmatched end tags', `${'<div>'.repeat(20_000)}${'</x>'.repeat(20_000)}`],
    ['many entities', '&#99999999999999999999;&amp'.repeat(20_000)],
    ['one huge text node', 'x '.repeat(500_000)],
    ['a huge attribute', `<a href="${'x'.repeat(500_000)}">y</a>`],
  ])('excerpt of %s stays fast', (_name, html) => {
    survives(() => {
      const short = pickFields({ v: html }, parseFieldsParam('v:excerpt(20, true)')) as { v: string };
      const long = pickFields({ v: html }, parseFieldsParam('v:excerpt(1000000)')) as { v: string };
      expect(typeof short.v).toBe('string');
      expect([...short.v].length).toBeLessThanOrEqual(23);
      expect(typeof long.v).toBe('string');
    });
  });
});
