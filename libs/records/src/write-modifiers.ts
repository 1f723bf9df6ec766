import type { ErrorData } from '@hivebase/contracts';
import {
  type Collection,
  definitionOf,
  type Field,
  type FileField,
  generateFromPattern,
  isMultiValue,
  type NumberField,
  quoteIdent,
  type RelationField,
  type SelectField,
} from '@hivebase/schema';

type Json = Record<string, unknown>;

/** The body-key modifiers PocketBase's field setters know (`FindSetter`). */
export type ModifierKind = 'prepend' | 'append' | 'remove' | 'add' | 'subtract' | 'autogenerate';

/** A list field: select, relation or file, one value (`text`) or several (`text[]`). */
type ListField = SelectField | RelationField | FileField;

type ListOp = { kind: 'prepend' | 'append' | 'remove'; values: string[] };

/**
 * A modifier whose result depends on the stored row. The writer runs it as a SQL expression on
 * the column inside the UPDATE, so concurrent writes cannot lose each other's changes, and
 * validates the value the UPDATE returns.
 */
export type PendingModifier =
  | { kind: 'number'; field: NumberField; delta: number }
  | { kind: 'list'; field: SelectField | RelationField; ops: ListOp[] };

/** A write body with its modifier keys resolved, ready for the writer's `prepare`. */
export interface ResolvedBody {
  /**
   * The body without modifier keys. A field's modifiers whose result is known without the stored
   * row (on create, after a plain value for the same field, `:autogenerate`) are applied here and
   * the result stands under the field's own name.
   */
  body: Json;
  /** Update-only modifiers on fields without a plain value: the writer evaluates them in SQL. */
  pending: PendingModifier[];
  /** Refused modifiers by field name (file modifiers belong to file uploads, not built yet). */
  errors: ErrorData;
}

export interface ResolveOptions {
  isNew: boolean;
  /** Whether the caller may write the field at all; modifiers on other fields are dropped silently. */
  accepts: (field: Field) => boolean;
}

/** File parts, modifiers included, wait for file uploads. */
export const fileUploadsUnsupported = () => ({
  code: 'validation_file_uploads_unsupported',
  message: 'File uploads are not supported yet.',
});

const LIST_TYPES: ReadonlySet<Field['type']> = new Set(['select', 'relation', 'file']);
const AUTOGENERATE_SUFFIX = ':autogenerate';

/**
 * Which field and modifier a body key names, as PocketBase's `FindSetter`: `+f`, `f+`, `f-` on
 * select/relation/file, `f+`, `f-` on number, `f:autogenerate` on text. `null` for a plain field
 * name's modifier; `undefined` when the key names nothing (PocketBase ignores such keys).
 */
export function parseModifierKey(
  collection: Collection,
  key: string,
): { field: Field; modifier: ModifierKind | null } | undefined {
  const byName = (name: string) => collection.fields.find((field) => field.name === name);
  const plain = byName(key);
  if (plain) return { field: plain, modifier: null };
  if (key.startsWith('+')) {
    const field = byName(key.slice(1));
    return field && LIST_TYPES.has(field.type) ? { field, modifier: 'prepend' } : undefined;
  }
  if (key.endsWith('+') || key.endsWith('-')) {
    const field = byName(key.slice(0, -1));
    const adds = key.endsWith('+');
    if (field && LIST_TYPES.has(field.type)) return { field, modifier: adds ? 'append' : 'remove' };
    if (field?.type === 'number') return { field, modifier: adds ? 'add' : 'subtract' };
    return undefined;
  }
  if (key.endsWith(AUTOGENERATE_SUFFIX)) {
    const field = byName(key.slice(0, -AUTOGENERATE_SUFFIX.length));
    return field?.type === 'text' ? { field, modifier: 'autogenerate' } : undefined;
  }
  return undefined;
}

/**
 * Resolves a write body's modifier keys. PocketBase applies a body's keys shortest first (its
 * `ReplaceModifiers`), so a field's plain value comes before its modifiers; keys of equal length
 * (`+tags`, `tags+`, `tags-`) keep their order in the body.
 */
export function resolveModifiers(collection: Collection, input: Json, options: ResolveOptions): ResolvedBody {
  const body: Json = {};
  const errors: ErrorData = {};
  const modifiersByField = new Map<Field, { kind: ModifierKind; raw: unknown }[]>();
  const keys = Object.keys(input).sort((a, b) => a.length - b.length);
  for (const key of keys) {
    const parsed = parseModifierKey(collection, key);
    if (!parsed || parsed.modifier === null) {
      body[key] = input[key];
      continue;
    }
    const { field, modifier } = parsed;
    if (!options.accepts(field)) continue;
    if (field.type === 'file') {
      errors[field.name] = fileUploadsUnsupported();
      continue;
    }
    const list = modifiersByField.get(field) ?? [];
    list.push({ kind: modifier, raw: input[key] });
    modifiersByField.set(field, list);
  }

  const pending: PendingModifier[] = [];
  for (const [field, modifiers] of modifiersByField) {
    const hasPlain = Object.hasOwn(body, field.name);
    if (field.type === 'number') {
      const delta = modifiers.reduce(
        (sum, { kind, raw }) => sum + (kind === 'subtract' ? -1 : 1) * toNumber(field, raw),
        0,
      );
      // A new record starts from 0, a plain value replaces the stored one: no need to read it.
      if (options.isNew || hasPlain) body[field.name] = (hasPlain ? toNumber(field, body[field.name]) : 0) + delta;
      else pending.push({ kind: 'number', field, delta });
    } else if (field.type === 'text') {
      // Only `:autogenerate` reaches here; the last one wins as PocketBase's setter would.
      const { raw } = modifiers[modifiers.length - 1];
      const prefix = definitionOf(field).prepareValue(field, raw) as string;
      body[field.name] = prefix + (field.autogeneratePattern ? generateFromPattern(field.autogeneratePattern) : '');
    } else if (field.type === 'select' || field.type === 'relation') {
      const ops = modifiers.map(({ kind, raw }) => ({ kind, values: toList(field, raw) }) as ListOp);
      if (options.isNew || hasPlain) {
        const start = hasPlain ? toList(field, body[field.name]) : [];
        const result = applyListOps(start, ops, isMultiValue(field));
        body[field.name] = isMultiValue(field) ? result : (result[0] ?? '');
      } else {
        pending.push({ kind: 'list', field, ops });
      }
    }
  }
  return { body, pending, errors };
}

/**
 * The SQL expression for a pending modifier's new column value, computed from the column itself;
 * `bind` adds a parameter and returns its placeholder.
 */
export function modifierSql(modifier: PendingModifier, bind: (value: unknown) => string): string {
  const column = quoteIdent(modifier.field.name);
  if (modifier.kind === 'number') return `${column} + ${bind(modifier.delta)}::double precision`;
  if (isMultiValue(modifier.field)) {
    // Removing duplicates once at the end equals doing it after every step (first occurrences stay).
    return uniqueSql(modifier.ops.reduce((list, op) => listOpSql(list, op, bind), column));
  }
  // A single value is the last of the list each step leaves, as PocketBase's normalizeValue.
  return modifier.ops.reduce((value, op) => lastSql(listOpSql(`ARRAY[${value}]`, op, bind)), column);
}

/** PocketBase's list setters, each followed by its normalisation (unique, one value if single). */
function applyListOps(start: string[], ops: ListOp[], multiple: boolean): string[] {
  let list = start;
  for (const op of ops) {
    if (op.kind === 'append') list = [...new Set([...list, ...op.values])];
    else if (op.kind === 'prepend') list = [...new Set([...op.values, ...list])];
    else list = list.filter((value) => !op.values.includes(value));
    if (!multiple) list = list.slice(-1);
  }
  return list;
}

function listOpSql(list: string, op: ListOp, bind: (value: unknown) => string): string {
  const values = `${bind(op.values)}::text[]`;
  switch (op.kind) {
    case 'append':
      return `array_cat(${list}, ${values})`;
    case 'prepend':
      return `array_cat(${values}, ${list})`;
    case 'remove':
      return `ARRAY(SELECT v FROM unnest(${list}) WITH ORDINALITY AS m(v, i) WHERE v <> ALL(${values}) ORDER BY i)`;
  }
}

/** Non-empty items, each at its first position. */
const uniqueSql = (list: string) =>
  `ARRAY(SELECT v FROM unnest(${list}) WITH ORDINALITY AS m(v, i) WHERE v <> '' GROUP BY v ORDER BY min(i))`;

/** The last of the unique non-empty items, or ''. */
const lastSql = (list: string) =>
  `COALESCE((SELECT v FROM unnest(${list}) WITH ORDINALITY AS m(v, i) WHERE v <> '' GROUP BY v ORDER BY min(i) DESC LIMIT 1), '')`;

/** The number field's own cast (PocketBase's `cast.ToFloat64`): numbers and numeric strings. */
const toNumber = (field: NumberField, raw: unknown): number => definitionOf(field).prepareValue(field, raw) as number;

/** The list field's own cast (`list.ToUniqueStringSlice`), asked for a list whatever its maxSelect. */
const toList = (field: ListField, raw: unknown): string[] =>
  definitionOf(field).prepareValue({ ...field, maxSelect: Math.max(field.maxSelect, 2) } as never, raw) as string[];
