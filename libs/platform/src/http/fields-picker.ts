import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../errors/api-error';

/**
 * PocketBase's `fields` query parameter (tools/picker): `a,b.c,expand.author.*,title:excerpt(100,true)`
 * trims a 2xx JSON response to the listed dot paths, `*` standing for "every other key" at its level.
 */

/** `path:excerpt(max, withEllipsis?)`: the value's plain text (HTML stripped), cut to `max` characters. */
export interface ExcerptModifier {
  readonly kind: 'excerpt';
  readonly max: number;
  readonly withEllipsis: boolean;
}

export type FieldModifier = ExcerptModifier;

/**
 * A parsed `fields` parameter. Each requested path is a branch of dot-separated keys; the node where
 * a path ends is `selected` (its value is kept whole, through the modifier if any). A selected `*`
 * child stands for every key of that level that no other path names.
 */
export interface FieldsTree {
  readonly children: Map<string, FieldsTree>;
  selected: { readonly modifier: FieldModifier | null } | null;
}

export type FieldsParamErrorCode = 'unbalanced_expression' | 'invalid_modifier' | 'invalid_modifier_arguments';

/** A `fields` value PocketBase would refuse: unbalanced quotes/parentheses or a bad modifier. */
export class FieldsParamError extends Error {
  constructor(
    readonly code: FieldsParamErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FieldsParamError';
  }
}

// Go's unicode.IsSpace (strings.TrimSpace) and the tokenizer's whitespace cutset.
const GO_SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const GO_TRIM = new RegExp(`^[${GO_SPACE}]+|[${GO_SPACE}]+$`, 'g');
const GO_TRIM_START = new RegExp(`^[${GO_SPACE}]+`);
const IS_GO_SPACE = new RegExp(`^[${GO_SPACE}]$`);
const TOKEN_CUTSET = ['\t', '\n', '\v', '\f', '\r', ' ', '\u0085', '\u00a0'];

const goTrimSpace = (text: string): string => text.replace(GO_TRIM, '');

/**
 * PocketBase's tokenizer: splits on `separators` outside quotes (and, when `countParentheses`,
 * outside parentheses), `\` escaping the next quote or parenthesis; trims and drops empty tokens.
 */
function tokenize(text: string, separators: string, countParentheses: boolean): string[] {
  const cutset = TOKEN_CUTSET.filter((char) => !separators.includes(char));
  const trim = (token: string): string => {
    let start = 0;
    let end = token.length;
    while (start < end && cutset.includes(token.charAt(start))) start++;
    while (end > start && cutset.includes(token.charAt(end - 1))) end--;
    return token.slice(start, end);
  };
  // Go's reader takes a NUL for the end of input.
  const nul = text.indexOf('\0');
  const input = nul === -1 ? text : text.slice(0, nul);
  const tokens: string[] = [];
  let token = '';
  let parentheses = 0;
  let quote = '';
  let previous = '';
  const flush = () => {
    const trimmed = trim(token);
    if (trimmed !== '') tokens.push(trimmed);
    token = '';
    previous = '';
  };
  for (const char of input) {
    if (previous !== '\\') {
      if (countParentheses && char === '(' && quote === '') parentheses++;
      else if (countParentheses && char === ')' && parentheses > 0 && quote === '') parentheses--;
      else if (char === "'" || char === '"' || char === '`') {
        if (quote === char) quote = '';
        else if (quote === '') quote = char;
      }
    }
    if (separators.includes(char) && parentheses === 0 && quote === '') {
      flush();
      continue;
    }
    previous = char;
    token += char;
  }
  if (parentheses > 0 || quote !== '') {
    throw new FieldsParamError('unbalanced_expression', `Unbalanced parenthesis or quoted expression: ${token}.`);
  }
  flush();
  return tokens;
}

const newNode = (): FieldsTree => ({ children: new Map(), selected: null });

/**
 * Parses a `fields` value into a tree; an empty (or all-commas) value gives an empty tree, which
 * picks nothing away. Throws {@link FieldsParamError} where PocketBase refuses the value.
 */
export function parseFieldsParam(text: string): FieldsTree {
  const root = newNode();
  for (const token of tokenize(text, ',', true)) {
    const field = goTrimSpace(token);
    const colon = field.indexOf(':');
    const path = colon === -1 ? field : field.slice(0, colon);
    const modifier = colon === -1 ? null : parseModifier(field.slice(colon + 1));
    let node = root;
    for (const key of path.split('.')) {
      let child = node.children.get(key);
      if (!child) {
        child = newNode();
        node.children.set(key, child);
      }
      node = child;
    }
    // A repeated path: the last one wins, as in PocketBase's map.
    node.selected = { modifier };
  }
  return root;
}

function parseModifier(raw: string): FieldModifier {
  const [name, ...args] = tokenize(raw, '(), ', false);
  if (name === undefined) {
    throw new FieldsParamError('invalid_modifier', `Invalid or empty modifier expression "${raw}".`);
  }
  if (name !== 'excerpt') {
    throw new FieldsParamError('invalid_modifier', `Missing or invalid modifier "${name}".`);
  }
  return excerptModifierOf(args);
}

// strconv.ParseBool's true spellings; anything else (even garbage) is false, as spf13/cast reads it.
const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

function excerptModifierOf(args: string[]): ExcerptModifier {
  const usage = 'expected excerpt(max, withEllipsis?)';
  if (args.length === 0) throw new FieldsParamError('invalid_modifier_arguments', `Missing max argument - ${usage}.`);
  if (args.length > 2) throw new FieldsParamError('invalid_modifier_arguments', `Too many arguments - ${usage}.`);
  // A decimal integer ("3.0" too, as spf13/cast trims zero decimals); anything else reads as 0.
  const maxArg = args[0] ?? '';
  const max = /^[+-]?\d+(\.0+)?$/.test(maxArg) ? Math.min(Number.parseInt(maxArg, 10), Number.MAX_SAFE_INTEGER) : 0;
  // PocketBase refuses only 0 and crashes on a negative max; both are refused here.
  if (max <= 0) throw new FieldsParamError('invalid_modifier_arguments', 'The excerpt max argument must be > 0.');
  return { kind: 'excerpt', max, withEllipsis: TRUE_WORDS.has(args[1] ?? '') };
}

type JsonObject = Record<string, unknown>;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Go writes the picked result as maps, so every object comes out with its keys sorted.
const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);
const sortObjectKeys = (_key: string, value: unknown): unknown =>
  isObject(value) ? Object.fromEntries(Object.entries(value).sort(byKey)) : value;

const LIST_KEYS = ['items', 'page', 'perPage', 'totalItems', 'totalPages'];

/** A list page (`{items, page, perPage, totalItems, totalPages}`): the fields apply to each item. */
function isListEnvelope(value: unknown): value is JsonObject & { items: unknown[] } {
  if (!isObject(value) || !Array.isArray(value.items)) return false;
  const keys = Object.keys(value);
  return (
    keys.length === LIST_KEYS.length && LIST_KEYS.every((key) => key === 'items' || typeof value[key] === 'number')
  );
}

/**
 * Returns `value`'s JSON form trimmed to `tree`, as PocketBase's picker does: objects keep the listed
 * keys, arrays of objects are trimmed item by item (other arrays and scalars stay as they are), a list
 * page keeps its envelope and trims its items, and object keys come out sorted. `value` is not
 * modified. An empty tree returns `value` itself.
 */
export function pickFields(value: unknown, tree: FieldsTree): unknown {
  if (tree.children.size === 0) return value;
  // Work on the JSON form (toJSON applied, undefined dropped), as PocketBase marshals first.
  const text = JSON.stringify(value);
  if (text === undefined) return value;
  const json: unknown = JSON.parse(text, sortObjectKeys);
  pickInPlace(isListEnvelope(json) ? json.items : json, tree);
  return json;
}

/** Walks with an explicit stack, so deep data or paths cannot overflow the call stack. */
function pickInPlace(root: unknown, rootFields: FieldsTree): void {
  const work: [unknown, FieldsTree][] = [[root, rootFields]];
  for (let next = work.pop(); next !== undefined; next = work.pop()) {
    const [value, fields] = next;
    if (Array.isArray(value)) {
      // As PocketBase: an array whose first item is not an object is left alone.
      if (!isObject(value[0])) continue;
      for (const item of value) if (isObject(item)) work.push([item, fields]);
    } else if (isObject(value)) {
      const wildcard = fields.children.get('*')?.selected ?? null;
      for (const key of Object.keys(value)) {
        const node = nodeFor(fields, key);
        const selected = node ? node.selected : wildcard;
        if (selected) {
          if (selected.modifier) value[key] = applyModifier(value[key], selected.modifier);
        } else if (node) {
          work.push([value[key], node]);
        } else {
          delete value[key];
        }
      }
    }
  }
}

/** The node a data key reaches; a key with dots matches paths through it, as PocketBase's prefix test. */
function nodeFor(fields: FieldsTree, key: string): FieldsTree | undefined {
  if (!key.includes('.')) return fields.children.get(key);
  let node: FieldsTree | undefined = fields;
  for (const part of key.split('.')) {
    node = node.children.get(part);
    if (!node) return undefined;
  }
  return node;
}

function applyModifier(value: unknown, modifier: FieldModifier): unknown {
  // Only strings have an excerpt; anything else (a missing expand, a number) passes as it is.
  return typeof value === 'string' ? excerpt(value, modifier.max, modifier.withEllipsis) : value;
}

// ---------------------------------------------------------------------------------------------
// Excerpt: the text of an HTML string, tags stripped, whitespace collapsed, cut to `max` characters.

// Elements whose content never shows (PocketBase's list).
const EXCLUDED_TAGS = new Set([
  'head',
  'style',
  'script',
  'iframe',
  'embed',
  'applet',
  'object',
  'svg',
  'img',
  'picture',
  'dialog',
  'template',
  'button',
  'form',
  'textarea',
  'input',
  'select',
  'option',
]);
// Elements that run inline; any other element is a block, set off by spaces (PocketBase's list).
const INLINE_TAGS = new Set([
  'a',
  'abbr',
  'acronym',
  'b',
  'bdo',
  'big',
  'br',
  'button',
  'cite',
  'code',
  'em',
  'i',
  'label',
  'q',
  'small',
  'span',
  'strong',
  'strike',
  'sub',
  'sup',
  'time',
]);
const VOID_TAGS = new Set([
  'area',
  'base',
  'basefont',
  'bgsound',
  'br',
  'col',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
// Content is text up to the element's own end tag; RCDATA ones decode character references.
const RAW_TEXT_TAGS = new Set(['script', 'style', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript']);
const RCDATA_TAGS = new Set(['title', 'textarea']);
// Before any body content, an HTML parser puts these in <head>, which is excluded.
const HEAD_TAGS = new Set([
  'base',
  'basefont',
  'bgsound',
  'link',
  'meta',
  'noframes',
  'noscript',
  'script',
  'style',
  'template',
  'title',
]);

/** The plain text being built, with PocketBase's spacing rules and an early stop. */
class PlainText {
  text = '';
  done = false;
  private previousSpace = false;
  private started = false;
  private length = 0;

  constructor(private readonly max: number) {}

  addText(raw: string): void {
    // Go's \s: ASCII whitespace only (a no-break space stays).
    let text = raw.replace(/[\t\n\f\r ]+/g, ' ');
    if (this.previousSpace) text = text.replace(/^ +/, '');
    if (text === '') return;
    this.previousSpace = text.endsWith(' ');
    this.append(text);
  }

  blockEdge(): void {
    if (this.previousSpace) return;
    this.append(' ');
    this.previousSpace = true;
  }

  // Done once the trimmed text is longer than max and ends in a non-space: the cut and the
  // ellipsis are then what the whole text would give.
  private append(text: string): void {
    this.text += text;
    let counted = text;
    if (!this.started) {
      counted = text.replace(GO_TRIM_START, '');
      if (counted === '') return;
      this.started = true;
    }
    this.length += codePointCount(counted);
    this.done = this.length > this.max && !IS_GO_SPACE.test(text.charAt(text.length - 1));
  }
}

function codePointCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const lowAfterHigh = unit >= 0xdc00 && unit <= 0xdfff && i > 0 && isHighSurrogate(text.charCodeAt(i - 1));
    if (!lowAfterHigh) count++;
  }
  return count;
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

/** The first `count` code points of `text`. */
function codePointPrefix(text: string, count: number): string {
  let taken = 0;
  let i = 0;
  while (i < text.length && taken < count) {
    i += isHighSurrogate(text.charCodeAt(i)) && i + 1 < text.length ? 2 : 1;
    taken++;
  }
  return text.slice(0, i);
}

/** PocketBase's excerpt: plain text of `html`, cut to `max` characters (code points), trimmed. */
function excerpt(html: string, max: number, withEllipsis: boolean): string {
  const plain = new PlainText(max);
  walkHtml(html, plain);
  const text = goTrimSpace(plain.text);
  if (codePointCount(text) <= max) return text;
  return goTrimSpace(codePointPrefix(text, max)) + (withEllipsis ? '...' : '');
}

interface OpenElement {
  readonly name: string;
  readonly hidden: boolean;
  readonly block: boolean;
}

const isHtmlSpace = (char: string) => char === ' ' || char === '\t' || char === '\n' || char === '\f' || char === '\r';
const isAsciiLetter = (char: string) => (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z');

/**
 * A small streaming HTML reader feeding `plain`: tags, attributes (quoted values may hold `>`),
 * comments, raw-text elements and character references. It does not rebuild the tree an HTML5 parser
 * would (implied end tags, foster parenting); that only moves spaces between blocks.
 */
function walkHtml(html: string, plain: PlainText): void {
  const stack: OpenElement[] = [];
  let inHead = true; // before any body content
  const hidden = () => stack.length > 0 && (stack[stack.length - 1]?.hidden ?? false);
  const text = (raw: string) => {
    if (raw === '' || hidden()) return;
    if (inHead) {
      if (/^[\t\n\f\r ]*$/.test(raw)) return;
      inHead = false;
    }
    plain.addText(raw);
  };
  // Open elements by name, so an end tag with nothing to close costs nothing (no quadratic scans).
  const openCount = new Map<string, number>();
  const pop = () => {
    const open = stack.pop();
    if (!open) return;
    openCount.set(open.name, (openCount.get(open.name) ?? 1) - 1);
    if (!open.hidden && open.block) plain.blockEdge();
  };
  const close = (name: string) => {
    if (!openCount.get(name)) return;
    while (stack.length > 0 && stack[stack.length - 1]?.name !== name) pop();
    pop();
  };

  const n = html.length;
  let i = 0;
  while (i < n && !plain.done) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      text(decodeEntities(html.slice(i)));
      break;
    }
    text(decodeEntities(html.slice(i, lt)));
    i = lt;
    const next = html.charAt(i + 1);
    if (html.startsWith('<!--', i)) {
      if (html.startsWith('<!-->', i)) i += 5;
      else if (html.startsWith('<!--->', i)) i += 6;
      else {
        const end = html.indexOf('-->', i + 4);
        i = end === -1 ? n : end + 3;
      }
    } else if (next === '!' || next === '?' || (next === '/' && !isAsciiLetter(html.charAt(i + 2)))) {
      // Doctype, processing instruction, `</>` or another bogus comment.
      const end = html.indexOf('>', i + 2);
      i = end === -1 ? n : end + 1;
    } else if (next === '/') {
      const tag = scanTag(html, i + 2);
      if (!tag) break;
      i = tag.next;
      if (tag.name !== 'html' && tag.name !== 'body' && tag.name !== 'head') close(tag.name);
    } else if (isAsciiLetter(next)) {
      const tag = scanTag(html, i + 1);
      if (!tag) break; // a tag cut off by the end of input is dropped
      i = tag.next;
      const { name } = tag;
      if (name === 'html' || name === 'head') continue;
      if (name === 'body') {
        inHead = false;
        continue;
      }
      const headOnly = inHead && HEAD_TAGS.has(name);
      if (!headOnly) inHead = false;
      const element: OpenElement = {
        name,
        hidden: hidden() || headOnly || EXCLUDED_TAGS.has(name),
        block: !INLINE_TAGS.has(name),
      };
      if (!element.hidden && element.block) plain.blockEdge();
      if (VOID_TAGS.has(name)) {
        if (!element.hidden && element.block) plain.blockEdge();
        continue;
      }
      stack.push(element);
      openCount.set(name, (openCount.get(name) ?? 0) + 1);
      if (RAW_TEXT_TAGS.has(name) || RCDATA_TAGS.has(name)) {
        const endTag = new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'ig');
        endTag.lastIndex = i;
        const found = endTag.exec(html);
        const content = html.slice(i, found ? found.index : n);
        text(RCDATA_TAGS.has(name) ? decodeEntities(content) : content);
        if (!found) break;
        const end = scanTag(html, found.index + 2);
        i = end ? end.next : n;
        close(name);
      }
    } else {
      text('<');
      i += 1;
    }
  }
  while (stack.length > 0 && !plain.done) pop();
}

/** Reads a tag's name and attributes from just after `<` or `</`; null when input ends inside it. */
function scanTag(html: string, from: number): { name: string; next: number } | null {
  const n = html.length;
  let i = from;
  while (i < n && !isHtmlSpace(html.charAt(i)) && html.charAt(i) !== '/' && html.charAt(i) !== '>') i++;
  const name = html.slice(from, i).toLowerCase();
  while (i < n) {
    const char = html.charAt(i);
    if (char === '>') return { name, next: i + 1 };
    if (char === '/' || isHtmlSpace(char)) {
      i++;
      continue;
    }
    // An attribute: its name (which may start with `=`), then an optional value.
    i++;
    while (i < n && !'\t\n\f\r />='.includes(html.charAt(i))) i++;
    while (i < n && isHtmlSpace(html.charAt(i))) i++;
    if (html.charAt(i) !== '=') continue;
    i++;
    while (i < n && isHtmlSpace(html.charAt(i))) i++;
    const quote = html.charAt(i);
    if (quote === '"' || quote === "'") {
      const end = html.indexOf(quote, i + 1);
      if (end === -1) return null;
      i = end + 1;
    } else {
      while (i < n && !isHtmlSpace(html.charAt(i)) && html.charAt(i) !== '>') i++;
    }
  }
  return null;
}

// Latin-1 names, U+00A0 to U+00FF in order, then a few common others. Unknown names stay as written.
const LATIN1_ENTITIES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute ' +
  'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig ' +
  'Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash ' +
  'Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ' +
  'ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc ' +
  'uuml yacute thorn yuml';
const NAMED_ENTITIES = new Map<string, string>([
  ...LATIN1_ENTITIES.split(' ').map((name, index): [string, string] => [name, String.fromCodePoint(0xa0 + index)]),
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
  ['ensp', '\u2002'],
  ['emsp', '\u2003'],
  ['thinsp', '\u2009'],
  ['zwnj', '\u200c'],
  ['zwj', '\u200d'],
  ['ndash', '\u2013'],
  ['mdash', '\u2014'],
  ['lsquo', '\u2018'],
  ['rsquo', '\u2019'],
  ['sbquo', '\u201a'],
  ['ldquo', '\u201c'],
  ['rdquo', '\u201d'],
  ['bdquo', '\u201e'],
  ['bull', '\u2022'],
  ['hellip', '\u2026'],
  ['prime', '\u2032'],
  ['euro', '\u20ac'],
  ['trade', '\u2122'],
  ['larr', '\u2190'],
  ['uarr', '\u2191'],
  ['rarr', '\u2192'],
  ['darr', '\u2193'],
  ['harr', '\u2194'],
  ['minus', '\u2212'],
  ['check', '\u2713'],
]);

const ENTITY = /&(?:#[xX]([0-9a-fA-F]+);?|#([0-9]+);?|([A-Za-z][A-Za-z0-9]*);|(amp|lt|gt|quot|nbsp)(?![A-Za-z0-9]))/g;

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (match, hex?: string, decimal?: string, name?: string, legacy?: string) => {
    if (hex !== undefined || decimal !== undefined) {
      const code = hex !== undefined ? Number.parseInt(hex, 16) : Number.parseInt(decimal ?? '', 10);
      const invalid = !(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff);
      return invalid ? '\ufffd' : String.fromCodePoint(code);
    }
    return NAMED_ENTITIES.get(name ?? legacy ?? '') ?? match;
  });
}

// ---------------------------------------------------------------------------------------------
// The hook every Hivebase app registers (createHttpApp).

/** The `fields` query value; the first one when repeated, as Go's `Query().Get`. */
function fieldsParamOf(query: unknown): string {
  if (!isObject(query)) return '';
  const fields = Array.isArray(query.fields) ? query.fields[0] : query.fields;
  return typeof fields === 'string' ? fields : '';
}

/**
 * Fastify `preSerialization` hook: trims every 2xx JSON object/array response to `?fields=`. Error
 * responses pass untouched; a value PocketBase cannot parse answers 400 (PocketBase itself sends the
 * original status with an empty body).
 */
export function pickFieldsHook(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: Error | null, payload?: unknown) => void,
): void {
  // A callback hook, not an async one: it runs for every answer and most have no `fields`.
  const raw = reply.statusCode < 200 || reply.statusCode > 299 ? '' : fieldsParamOf(request.query);
  const contentType = raw === '' ? undefined : reply.getHeader('content-type');
  if (raw === '' || (typeof contentType === 'string' && !contentType.includes('json'))) {
    done(null, payload);
    return;
  }
  let tree: FieldsTree;
  try {
    tree = parseFieldsParam(raw);
  } catch (error) {
    if (!(error instanceof FieldsParamError)) {
      done(error as Error);
      return;
    }
    done(
      badRequest('Invalid "fields" parameter.', {
        fields: { code: `validation_${error.code}`, message: error.message },
      }),
    );
    return;
  }
  done(null, pickFields(payload, tree));
}
