import type { ErrorData } from '@hivebase/contracts';
import {
  type Collection,
  definitionOf,
  type Field,
  type FileField,
  generateFromPattern,
  isMultiValue,
  type NumberField,
  type RelationField,
  type SelectField,
} from '@hivebase/schema';
import { type FileItem, toFileItems } from './record-files';

type Json = Record<string, unknown>;

/** The body-key modifiers PocketBase's field setters know (`FindSetter`). */
export type ModifierKind = 'prepend' | 'append' | 'remove' | 'add' | 'subtract' | 'autogenerate';

/** A list field: select, relation or file, one value (`text`) or several (`text[]`). */
type ListField = SelectField | RelationField | FileField;

type ListOp = { kind: 'prepend' | 'append' | 'remove'; values: string[] };

/** A write body with its modifier keys resolved, as PocketBase's `ReplaceModifiers` leaves it. */
export interface ResolvedBody {
  /**
   * The body without modifier keys: each modified field's final value stands under its own name
   * (applied to the stored value on update, to the empty value on create), other keys as sent.
   * Rules read this as `@request.body`, so `owner+` is judged by the owner it produces.
   */
  body: Json;
  /** Refused modifiers by field name. */
  errors: ErrorData;
}

/** Uploads reached a writer with no file store (a service that does not take files). */
export const fileUploadsUnsupported = () => ({
  code: 'validation_file_uploads_unsupported',
  message: 'File uploads are not supported here.',
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
 * Resolves a write body's modifier keys against `stored` (the locked row on update, null on
 * create). PocketBase applies a body's keys shortest first (its `ReplaceModifiers`), so a field's
 * plain value comes before its modifiers; keys of equal length (`+tags`, `tags+`, `tags-`) keep
 * their order in the body.
 */
export function resolveModifiers(collection: Collection, input: Json, stored: Json | null): ResolvedBody {
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
    const list = modifiersByField.get(field) ?? [];
    list.push({ kind: modifier, raw: input[key] });
    modifiersByField.set(field, list);
  }

  for (const [field, modifiers] of modifiersByField) {
    // A plain value for the field replaces the stored one before its modifiers apply.
    const start = Object.hasOwn(body, field.name) ? body[field.name] : stored?.[field.name];
    if (field.type === 'number') {
      const delta = modifiers.reduce(
        (sum, { kind, raw }) => sum + (kind === 'subtract' ? -1 : 1) * toNumber(field, raw),
        0,
      );
      body[field.name] = (start === undefined || start === null ? 0 : toNumber(field, start)) + delta;
    } else if (field.type === 'text') {
      // Only `:autogenerate` reaches here; the last one wins as PocketBase's setter would.
      const { raw } = modifiers[modifiers.length - 1];
      const prefix = definitionOf(field).prepareValue(field, raw) as string;
      body[field.name] = prefix + (field.autogeneratePattern ? generateFromPattern(field.autogeneratePattern) : '');
    } else if (field.type === 'select' || field.type === 'relation') {
      const ops = modifiers.map(({ kind, raw }) => ({ kind, values: toList(field, raw) }) as ListOp);
      const result = applyListOps(start === undefined ? [] : toList(field, start), ops, isMultiValue(field));
      body[field.name] = isMultiValue(field) ? result : (result[0] ?? '');
    } else if (field.type === 'file') {
      // Names and uploads together; the writer checks and stores them (record-files.ts).
      let list: FileItem[] = start === undefined ? [] : toFileItems(field, start);
      for (const { kind, raw } of modifiers) {
        const items = toFileItems(field, raw);
        if (kind === 'remove') {
          const names = items.filter((item): item is string => typeof item === 'string');
          list = list.filter((item) => typeof item !== 'string' || !names.includes(item));
        } else {
          list = kind === 'append' ? [...list, ...items] : [...items, ...list];
        }
        if (!isMultiValue(field)) list = list.slice(-1);
      }
      body[field.name] = list;
    }
  }
  return { body, errors };
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

/** The number field's own cast (PocketBase's `cast.ToFloat64`): numbers and numeric strings. */
const toNumber = (field: NumberField, raw: unknown): number => definitionOf(field).prepareValue(field, raw) as number;

/** The list field's own cast (`list.ToUniqueStringSlice`), asked for a list whatever its maxSelect. */
const toList = (field: ListField, raw: unknown): string[] =>
  definitionOf(field).prepareValue({ ...field, maxSelect: Math.max(field.maxSelect, 2) } as never, raw) as string[];
